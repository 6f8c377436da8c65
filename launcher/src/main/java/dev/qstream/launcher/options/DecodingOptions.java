package dev.qstream.launcher.options;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.service.ActorConfig;
import picocli.CommandLine.Option;

/** How episodes are decoded: what the evaluator must share with the actors to measure the policy they serve. */
public final class DecodingOptions {

    @Option(names = "--max-tokens", description = "Longest episode (default: ${DEFAULT-VALUE}).")
    public int maxTokens = ActorConfig.DEFAULT_MAX_TOKENS;

    @Option(names = "--mask", description = "Valid actions: PROMPT_AND_COMMON, TOP_K or ALL (default: ${DEFAULT-VALUE}).")
    public ActionMasker.Mode mask = ActionMasker.Mode.PROMPT_AND_COMMON;

    @Option(names = "--common-words", description = "Most frequent words always valid (default: ${DEFAULT-VALUE}).")
    public int commonWords = ActorConfig.DEFAULT_COMMON_WORDS;
}
