package dev.qstream.actor.decode;

/** Makes decisions; the batching implementation makes many at once. */
public interface StepDecoder extends AutoCloseable {

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
