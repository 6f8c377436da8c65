package dev.qstream.launcher.options;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;

/** How episodes are decoded: what the evaluator must share with the actors to measure the policy they serve. */
public final class DecodingOptions {

    public static final String AUTO = "auto";

    @Option(names = "--max-tokens", description = "Longest episode (default: ${DEFAULT-VALUE}).")
    public int maxTokens = ActorConfig.DEFAULT_MAX_TOKENS;

    @Option(names = "--mask", description = "Valid actions: PROMPT_AND_COMMON, TOP_K or ALL (default: ${DEFAULT-VALUE}).")
    public ActionMasker.Mode mask = ActionMasker.Mode.PROMPT_AND_COMMON;

    @Option(names = "--common-words", paramLabel = "N|auto",
            description = "Most frequent words every mask adds to the prompt's words: a number, or auto = as many as make the "
                    + "mask offer 90%% of the train references' tokens (with --vocab instead of --task: "
                    + ActorConfig.DEFAULT_COMMON_WORDS + ") (default: ${DEFAULT-VALUE}).")
    public String commonWords = AUTO;

    /** The common-word count: the number given, or the task's coverage-based count for {@code auto}. */
    public int commonWords(Optional<List<TaskPrompt>> task, Vocabulary vocabulary) {
        if (AUTO.equals(commonWords)) {
            return task.map(t -> TaskVocabulary.commonWordsFor(t, vocabulary, TaskVocabulary.DEFAULT_MASK_COVERAGE))
                    .orElse(ActorConfig.DEFAULT_COMMON_WORDS);
        }
        try {
            int n = Integer.parseInt(commonWords.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--common-words must be a number >= 0 or auto, got '" + commonWords + "'");
        }
    }
}
