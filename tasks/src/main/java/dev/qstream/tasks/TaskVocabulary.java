package dev.qstream.tasks;

import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tasks and the vocabulary built from them: every prompt and reference, tokenized by policy's tokenizer. */
public final class TaskVocabulary {

    public static final String BUILTIN = "builtin";

    private TaskVocabulary() {
    }

    /** The built-in data-to-text task, or a task file's valid prompts (bad lines are reported on stderr). */
    public static List<TaskPrompt> load(String task) throws IOException {
        if (task == null || BUILTIN.equals(task)) {
            return DataToTextTask.generate(DataToTextTask.DEFAULT_SEED, DataToTextTask.DEFAULT_SIZE);
        }
        TaskFile.Loaded loaded = TaskFile.read(Path.of(task));
        loaded.errors().forEach(e -> System.err.println("qstream: skipped " + e));
        if (loaded.prompts().isEmpty()) {
            throw new IllegalArgumentException("task file " + task + " has no valid prompts");
        }
        return loaded.prompts();
    }

    public static Vocabulary of(List<TaskPrompt> task) {
        List<String> texts = new ArrayList<>();
        for (TaskPrompt p : task) {
            texts.add(p.prompt());
            texts.addAll(p.references());
        }
        return Vocabulary.build(texts, new Tokenizer(), Vocabulary.MAX_WORDS);
    }
}
