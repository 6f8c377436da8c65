package dev.qstream.console.observe;

import java.util.Map;

/** The state of the loop as read from its topics; printed by {@code up} as its last line. */
public record LoopSummary(long episodes, long transitions, long scoredTransitions, long learnerUpdates,
                          long modelVersionPublished, Map<String, Long> modelVersionsServed,
                          double meanRewardFirst10pct, double meanRewardLast10pct, long deadLetters,
                          double heldOutRougeLFirst, double heldOutRougeLLast, double heldOutBleuFirst,
                          double heldOutBleuLast, long heldOutEvaluations, Deployment deployment) {

    /**
     * The promotion gate's record: who serves now, the decisions so far, and the champion's held-out ROUGE-L F (NaN
     * until it is evaluated); {@code gated} is false when no gate ever held traffic.
     */
    public record Deployment(boolean gated, long champion, long challenger, long trials, long promotions, long rollbacks,
                             double championHeldOutRougeL) {
        public static final Deployment NONE = new Deployment(false, -1, -1, 0, 0, 0, Double.NaN);
    }
}
