package dev.qstream.actor.http;

/** A request the API answers with a client error: the status and a message meant for the caller. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }
}
