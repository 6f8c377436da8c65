package dev.qstream.broker;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to run the embedded broker.
 *
 * @param dataDir        where the log lives; null = a temporary directory deleted on close. An existing, formatted
 *                       directory is reused, so topics and offsets survive restarts.
 * @param port           client port on 127.0.0.1; 0 = pick a free one
 * @param controllerPort KRaft controller port on 127.0.0.1; 0 = pick a free one
 * @param overrides      extra or overriding server properties
 * @param scramUsers     when not empty, clients must authenticate with SASL/SCRAM-SHA-512 as one of these users
 *                       (name → password, created when the storage is formatted) and ACLs are enforced; the first
 *                       user is the super user the broker itself uses
 * @param cluster        this node's place in a multi-node cluster; null = a single node that is its own quorum
 */
public record BrokerSettings(Path dataDir, int port, int controllerPort, Map<String, String> overrides,
                             Map<String, String> scramUsers, ClusterMembership cluster) {

    public BrokerSettings {
        Objects.requireNonNull(overrides, "overrides");
        Objects.requireNonNull(scramUsers, "scramUsers");
        if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("ports must be in [0, 65535]");
        }
        overrides = Map.copyOf(overrides);
        scramUsers = Collections.unmodifiableMap(new LinkedHashMap<>(scramUsers));
        if (cluster != null && controllerPort != 0 && controllerPort != cluster.self().port()) {
            throw new IllegalArgumentException("controller port " + controllerPort + " differs from this node's entry "
                    + cluster.self() + " in the controller quorum");
        }
    }

    /** Temporary data, free ports, default settings. */
    public static BrokerSettings ephemeral() {
        return new BrokerSettings(null, 0, 0, Map.of(), Map.of(), null);
    }

    public BrokerSettings withDataDir(Path dir) {
        return new BrokerSettings(dir, port, controllerPort, overrides, scramUsers, cluster);
    }

    public BrokerSettings withPort(int clientPort) {
        return new BrokerSettings(dataDir, clientPort, controllerPort, overrides, scramUsers, cluster);
    }

    public BrokerSettings withOverrides(Map<String, String> extra) {
        return new BrokerSettings(dataDir, port, controllerPort, extra, scramUsers, cluster);
    }

    /** SASL/SCRAM-SHA-512 on the client listener and ACLs enforced; the first user is the super user. */
    public BrokerSettings withScramUsers(LinkedHashMap<String, String> users) {
        return new BrokerSettings(dataDir, port, controllerPort, overrides, users, cluster);
    }

    /**
     * A node of a multi-node cluster: node id, shared cluster id and the controller quorum. The controller listens on
     * this node's port in the quorum.
     */
    public BrokerSettings inCluster(ClusterMembership membership) {
        return new BrokerSettings(dataDir, port, membership.self().port(), overrides, scramUsers, membership);
    }

    /** Nodes in the cluster this broker belongs to (1 when it is a cluster of its own). */
    public int clusterSize() {
        return cluster == null ? 1 : cluster.size();
    }

    public boolean secured() {
        return !scramUsers.isEmpty();
    }
}
