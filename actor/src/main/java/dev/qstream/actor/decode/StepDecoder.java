package dev.qstream.actor.decode;

/** Makes decisions; the batching implementation makes many at once. */
public interface StepDecoder extends AutoCloseable {

    /** Blocks until the decision is made. */
    Decision decide(StepRequest request) throws InterruptedException;

    @Override
    default void close() {
    }
}
