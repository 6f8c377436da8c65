package dev.qstream.actor.decode;

/**
 * A decision: the action, the probability the behaviour policy gave it, the model version that made it, and the
 * mask to record (null = every token).
 */
public record Decision(int action, double probability, long version, int[] recordedMask, long decisionNanos) {
}
