package dev.qstream.tasks;

import java.util.List;
import java.util.Objects;

/** One line of a task file: a prompt, its reference outputs, and whether it is for training or evaluation. */
public record TaskPrompt(String id, String prompt, List<String> references, Split split) {

    /** Which part of the task a prompt belongs to. */
    public enum Split { TRAIN, EVAL }

    public TaskPrompt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        references = List.copyOf(references);
        Objects.requireNonNull(split, "split");
    }
}
