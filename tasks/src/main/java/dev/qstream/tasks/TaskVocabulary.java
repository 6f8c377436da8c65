package dev.qstream.tasks;

import dev.qstream.policy.text.CopyContext;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.List;

/**
 * Tasks and what the policy learns from them: the vocabulary (every word of the train split's prompts and references,
 * tokenized by policy's tokenizer, plus copy actions for prompt words it lacks) and how many common words the
 * actors' masks add. Both come from the {@code train} split only: no word of an eval prompt or eval reference may
 * reach the policy, so held-out scores measure generalisation, not memory.
 */
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

    /** Share of the train references' tokens the default mask (prompt words + common words) should offer. */
    public static final double DEFAULT_MASK_COVERAGE = 0.9;
    /** Most common words a mask adds, whatever the coverage asks. */
    public static final int MAX_COMMON_WORDS = 512;

    /** The vocabulary of a task: its train split's words, the most frequent first, then the copy actions. */
    public static Vocabulary of(List<TaskPrompt> task) {
        Tokenizer tokenizer = new Tokenizer();
        List<String> texts = new ArrayList<>();
        List<CopyContext> contexts = new ArrayList<>(); // where the train prompts' words stand: each gets its own copy action
        for (TaskPrompt p : train(task)) {
            texts.add(p.prompt());
            texts.addAll(p.references());
            CopyContext.of(tokenizer.tokenize(p.prompt())).stream().filter(Objects::nonNull).forEach(contexts::add);
        }
        return Vocabulary.build(texts, tokenizer, Vocabulary.MAX_WORDS, Vocabulary.DEFAULT_COPY_SLOTS, contexts);
    }

    /**
     * How many of the vocabulary's most frequent words a mask must add to the prompt's own words so that the mask
     * offers at least {@code coverage} of the tokens of the train references (measured on the train split only). The
     * right mask size differs by an order of magnitude between tasks: references made mostly of prompt words need a
     * handful, human text needs dozens (E2E: the prompt's words cover under half of the reference tokens).
     */
    public static int commonWordsFor(List<TaskPrompt> task, Vocabulary vocabulary, double coverage) {
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("mask coverage must be in (0, 1], got " + coverage);
        }
        Tokenizer tokenizer = new Tokenizer();
        List<Integer> ranksNeeded = new ArrayList<>(); // for each reference token the prompt lacks: its frequency rank
        long tokens = 0;
        long fromPrompt = 0;
        for (TaskPrompt p : train(task)) {
            Set<String> prompt = new HashSet<>(tokenizer.tokenize(p.prompt()));
            for (String reference : p.references()) {
                for (String token : tokenizer.tokenize(reference)) {
                    tokens++;
                    if (prompt.contains(token)) {
                        fromPrompt++;
                    } else {
                        int id = vocabulary.id(token);
                        ranksNeeded.add(id >= Vocabulary.SPECIAL_TOKENS ? id - Vocabulary.SPECIAL_TOKENS : Integer.MAX_VALUE);
                    }
                }
            }
        }
        long missing = (long) Math.ceil(coverage * tokens) - fromPrompt;
        if (missing <= 0) {
            return 0;
        }
        Collections.sort(ranksNeeded);
        int rank = ranksNeeded.get((int) Math.min(missing, ranksNeeded.size()) - 1);
        return rank == Integer.MAX_VALUE ? MAX_COMMON_WORDS : Math.min(MAX_COMMON_WORDS, rank + 1);
    }

    private static List<TaskPrompt> train(List<TaskPrompt> task) {
        return task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
    }
}
