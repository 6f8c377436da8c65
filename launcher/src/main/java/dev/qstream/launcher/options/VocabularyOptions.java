package dev.qstream.launcher.options;

import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.text.Vocabulary;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The action space of a service: a vocabulary file, or the task it is built from (deterministically, so every
 * actor and the learner that build it from the same task agree; the model header's fingerprint checks it).
 */
public final class VocabularyOptions {

    @Option(names = "--vocab", paramLabel = "FILE", description = "Vocabulary file (one token a line).")
    public Path vocab;

    @Option(names = "--task", paramLabel = "FILE|builtin",
            description = "Build the vocabulary from this task file, or from the built-in data-to-text task.")
    public String task;

    public Vocabulary load() throws IOException {
        if ((vocab == null) == (task == null || task.isBlank())) {
            throw new IllegalArgumentException("give exactly one of --vocab FILE or --task FILE|builtin");
        }
        return vocab != null ? Vocabulary.read(vocab) : TaskVocabulary.of(TaskVocabulary.load(task));
    }

    /** The task's prompts when the vocabulary comes from a task (empty with {@code --vocab}). */
    public Optional<List<TaskPrompt>> task() throws IOException {
        return task == null || task.isBlank() ? Optional.empty() : Optional.of(TaskVocabulary.load(task));
    }
}
