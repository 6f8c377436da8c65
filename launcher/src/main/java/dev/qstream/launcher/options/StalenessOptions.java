package dev.qstream.launcher.options;

import dev.qstream.learner.replay.StaleTransitions;
import dev.qstream.learner.replay.StalenessBound;
import dev.qstream.learner.service.LearnerConfig;
import dev.qstream.policy.text.Vocabulary;
import picocli.CommandLine.Option;

/** The bound on policy lag, shared by {@code qstream learner} and {@code qstream bench learning}. */
public final class StalenessOptions {

    /** The one definition of the defaults: {@link LearnerConfig.Builder}. */
    private static final StalenessBound D =
            LearnerConfig.builder("defaults", Vocabulary.SPECIAL_TOKENS + 1, "none").build().staleness();

    @Option(names = "--max-policy-lag", paramLabel = "K",
            description = "Train only on transitions chosen by a model at most K versions older than the learner's newest; demonstrations are exempt; 0 = unbounded (default: ${DEFAULT-VALUE}).")
    public int maxPolicyLag = D.maxPolicyLag();

    @Option(names = "--stale-transitions",
            description = "Transitions past --max-policy-lag: DROP (removed from replay) or DOWNWEIGHT (importance weight times 0.5^(lag - K)) (default: ${DEFAULT-VALUE}).")
    public StaleTransitions staleTransitions = D.treatment();

    public StalenessBound bound() {
        return new StalenessBound(maxPolicyLag, staleTransitions);
    }
}
