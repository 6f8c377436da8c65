package dev.qstream.actor.decode;

import dev.qstream.actor.model.ServingPolicy;

/** Makes decisions; the batching implementation makes many at once. */
public interface StepDecoder extends AutoCloseable {

    /**
     * The version an episode's steps will all use: the champion, or the challenger for the canary share (see
     * {@link dev.qstream.actor.model.VariableClient#policyFor}).
     */
    ServingPolicy policyFor(String episodeId);

    /** An episode begins: its steps will come one after another (batching decoders wait for in-flight episodes). */
    default void episodeStarted() {
    }

    /** An episode is over. */
    default void episodeEnded() {
    }

    /** Blocks until the decision is made. */
    Decision decide(StepRequest request) throws InterruptedException;

    @Override
    default void close() {
    }
}
