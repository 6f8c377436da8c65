package dev.qstream.runtime.kafka;

/** The cluster did not answer within the start-up timeout; services exit with this message instead of hanging. */
public final class KafkaUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
