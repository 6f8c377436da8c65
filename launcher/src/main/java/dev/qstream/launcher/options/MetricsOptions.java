package dev.qstream.launcher.options;

import picocli.CommandLine.Option;

/** Where a service serves its Prometheus endpoint: the same options on every service command. */
public final class MetricsOptions {

    /** Printed on stdout once the endpoint listens, followed by its URL; {@code up} reads it from child logs. */
    public static final String READY_PREFIX = "qstream metrics endpoint: ";

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics; 0 picks a free port; "
                    + "unset: not served (or $QSTREAM_METRICS_PORT).")
    public Integer port;

    // Loopback like every HTTP endpoint here; metrics are read-only (no token), so another interface needs only saying.
    @Option(names = "--metrics-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Interface the metrics endpoint binds; 0.0.0.0 for a Prometheus on another host or container (default: ${DEFAULT-VALUE}).")
    public String host;

    public boolean enabled() {
        return port != null;
    }
}
