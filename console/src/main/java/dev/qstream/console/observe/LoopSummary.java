package dev.qstream.console.observe;

import java.util.Map;

/** The state of the loop as read from its topics; printed by {@code up} as its last line. */
public record LoopSummary(long episodes, long transitions, long scoredTransitions, long learnerUpdates,
                          long modelVersionPublished, Map<String, Long> modelVersionsServed,
                          double meanRewardFirst10pct, double meanRewardLast10pct, long deadLetters,
                          double heldOutRougeLFirst, double heldOutRougeLLast, double heldOutBleuFirst,
                          double heldOutBleuLast, long heldOutEvaluations) {
}
