package dev.qstream.broker;

import org.apache.kafka.common.Uuid;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * This node's place in a multi-node KRaft cluster: its node id, the cluster id every node is formatted with, and
 * the static controller quorum ({@code controller.quorum.voters}). Every node of qstream's cluster is a combined
 * broker and controller, so the voters are also the brokers, and their number is the cluster size that the internal
 * topics' replication follows.
 *
 * @param nodeId    this node's {@code node.id}; one of the voters
 * @param clusterId the cluster id (a Kafka {@link Uuid} in base64, as {@code kafka-storage random-uuid} prints)
 * @param voters    the controller quorum, at least one voter, ids unique
 */
public record ClusterMembership(int nodeId, String clusterId, List<Voter> voters) {

    /** One controller of the quorum: {@code id@host:port}, the port being its CONTROLLER listener. */
    public record Voter(int nodeId, String host, int port) {
        public Voter {
            Objects.requireNonNull(host, "host");
            if (nodeId < 0) {
                throw new IllegalArgumentException("a voter's node id must be >= 0, got " + nodeId);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("a voter's port must be in [1, 65535], got " + port);
            }
        }

        @Override
        public String toString() {
            return nodeId + "@" + host + ":" + port;
        }
    }

    public ClusterMembership {
        Objects.requireNonNull(clusterId, "clusterId");
        voters = List.copyOf(voters);
        try {
            Uuid.fromString(clusterId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster id '" + clusterId + "' is not a Kafka cluster id (22 characters of "
                    + "URL-safe base64, e.g. from `kafka-storage random-uuid`)", e);
        }
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("the controller quorum needs at least one voter");
        }
        Set<Integer> ids = new HashSet<>();
        for (Voter v : voters) {
            if (!ids.add(v.nodeId())) {
                throw new IllegalArgumentException("node id " + v.nodeId() + " appears twice in the controller quorum");
            }
        }
        if (!ids.contains(nodeId)) {
            throw new IllegalArgumentException("node id " + nodeId + " is not one of the controller quorum's voters "
                    + ids.stream().sorted().toList() + "; every qstream node is a broker and a controller");
        }
    }

    /**
     * Parses {@code 1@127.0.0.1:9093,2@127.0.0.1:9094,...}, the format of Kafka's {@code controller.quorum.voters}.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code ID@HOST:PORT}
     */
    public static List<Voter> parseVoters(String quorum) {
        if (quorum == null || quorum.isBlank()) {
            throw new IllegalArgumentException("the controller quorum is empty; expected ID@HOST:PORT[,ID@HOST:PORT...]");
        }
        List<Voter> voters = new ArrayList<>();
        for (String entry : quorum.split(",")) {
            String e = entry.strip();
            var m = java.util.regex.Pattern.compile("(\\d+)@([^:@\\s]+):(\\d{1,5})").matcher(e);
            if (!m.matches()) {
                throw new IllegalArgumentException("controller quorum entry '" + e + "' is not ID@HOST:PORT");
            }
            voters.add(new Voter(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3))));
        }
        return voters;
    }

    /** A fresh cluster id, for the first start of a new cluster. */
    public static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /** This node's own voter entry: where its controller listens. */
    public Voter self() {
        return voters.stream().filter(v -> v.nodeId() == nodeId).findFirst().orElseThrow();
    }

    /** The cluster size: every voter is also a broker. */
    public int size() {
        return voters.size();
    }

    /** {@code controller.quorum.voters} as Kafka writes it. */
    public String votersConfig() {
        return voters.stream().map(Voter::toString).collect(Collectors.joining(","));
    }

    /**
     * The replication factor for a cluster of {@code brokers}: every broker up to three. Three copies survive one lost
     * broker with {@code min.insync.replicas=2} still met; more copies only cost disk and network here.
     */
    public static short replicationFor(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker, got " + brokers);
        }
        return (short) Math.min(brokers, 3);
    }

    /** {@code min.insync.replicas} for a replication factor: 2 from three copies (one may be down), else 1. */
    public static int minInSyncFor(int replicationFactor) {
        return replicationFactor >= 3 ? 2 : 1;
    }
}
