package dev.qstream.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to run the embedded broker.
 *
 * @param dataDir        where the log lives; null = a temporary directory deleted on close. An existing, formatted
 *                       directory is reused, so topics and offsets survive restarts.
 * @param port           client port on 127.0.0.1; 0 = pick a free one
 * @param controllerPort KRaft controller port on 127.0.0.1; 0 = pick a free one
 * @param overrides      extra or overriding server properties (listeners for SASL, ACL authorizer, ...)
 */
public record BrokerSettings(Path dataDir, int port, int controllerPort, Map<String, String> overrides) {

    public BrokerSettings {
        Objects.requireNonNull(overrides, "overrides");
        if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("ports must be in [0, 65535]");
        }
        overrides = Map.copyOf(overrides);
    }

    /** Temporary data, free ports, default settings. */
    public static BrokerSettings ephemeral() {
        return new BrokerSettings(null, 0, 0, Map.of());
    }

    public BrokerSettings withDataDir(Path dir) {
        return new BrokerSettings(dir, port, controllerPort, overrides);
    }

    public BrokerSettings withPort(int clientPort) {
        return new BrokerSettings(dataDir, clientPort, controllerPort, overrides);
    }

    public BrokerSettings withOverrides(Map<String, String> extra) {
        return new BrokerSettings(dataDir, port, controllerPort, extra);
    }
}
