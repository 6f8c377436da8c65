package dev.qstream.actor.model;

/**
 * Where an actor gets its weights from (Acme's VariableClient role). Every episode asks for its policy once, when
 * it starts, and uses only that one, so swaps happen between episodes and an episode never mixes versions.
 */
public interface VariableClient {

    /** The policy serving all traffic outside a canary trial: the champion (or the newest, without a gate). */
    ServingPolicy current();

    /**
     * The policy for a new episode: the challenger when a trial is on and the episode id falls in its canary share,
     * else {@link #current()}. Callers take it once per episode and use it for every step.
     */
    default ServingPolicy policyFor(String episodeId) {
        return current();
    }
}
