package dev.qstream.policy.network;

/** A weight blob or model update that must not be served; the message says why. */
public final class InvalidWeightsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidWeightsException(String message) {
        super(message);
    }
}
