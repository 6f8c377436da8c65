package dev.qstream.runtime.service;

/**
 * A running service as its runner sees it: it can be closed, and it can say that it failed for good (a loop died,
 * a Streams client went to ERROR), so the process exits non-zero for its supervisor to restart it instead of
 * lingering half-alive.
 */
public interface ManagedService extends AutoCloseable {

    /** Why the service can no longer work, or null while it is healthy. */
    String failure();
}
