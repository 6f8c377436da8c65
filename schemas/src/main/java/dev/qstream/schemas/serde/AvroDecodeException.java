package dev.qstream.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a valid single-object-encoded record of the expected type. */
public final class AvroDecodeException extends SerializationException {
    private static final long serialVersionUID = 1L;

    private final DecodeFailure failure;

    public AvroDecodeException(DecodeFailure failure, String message, Throwable cause) {
        super(failure + ": " + message, cause);
        this.failure = failure;
    }

    public DecodeFailure failure() {
        return failure;
    }
}
