package dev.qstream.launcher.local;

import dev.qstream.broker.ClusterMembership;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Kafka brokers of a local stack, each {@code qstream broker} in its own JVM: one node (as {@code up} always ran
 * it), or a KRaft cluster of several on loopback, each node a broker and a controller voter with its own data
 * directory, all formatted with one cluster id. A cluster's nodes are started side by side (a node finishes starting
 * only once a majority of the quorum is up) and stopped side by side (a node stopping alone after the others waits
 * for a controller that is gone).
 */
public final class LocalBrokers {

    /** The name of a single broker's JVM; the nodes of a cluster are {@code broker-1}, {@code broker-2}, ... */
    public static final String NAME = "broker";
    private static final List<String> JVM = List.of("-Xmx512m", "-Xms128m");

    private LocalBrokers() {
    }

    /** Whether a child JVM of the stack is one of its brokers. */
    public static boolean isBroker(ChildJvm child) {
        return child.name().equals(NAME) || child.name().startsWith(NAME + "-");
    }

    /** One broker JVM of the stack: its name and {@code qstream broker} arguments, so it can be started again alike. */
    public record Node(String name, List<String> args) {
        /** Starts this node's JVM, its output going to {@code log}. */
        public ChildJvm launch(Path log) throws IOException {
            return ChildJvm.launch(name, JVM, args, Map.of(), log);
        }
    }

    /**
     * The brokers of a stack of {@code count}: one node, or a cluster with one cluster id and a quorum of every node.
     *
     * @param port     client port of the first node, the others following it; 0 = free ports
     * @param kafkaDir the data directory (a cluster's nodes get {@code node-N} under it, and the cluster id is kept
     *                 in {@code cluster-id}, so a stack restarted on the same directory finds its cluster again)
     */
    public static List<Node> plan(int count, int port, Path kafkaDir) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("--brokers must be >= 1, got " + count);
        }
        if (count == 1) {
            return List.of(new Node(NAME, List.of("broker", "--port", String.valueOf(port), "--data-dir", kafkaDir.toString())));
        }
        Files.createDirectories(kafkaDir);
        String clusterId = clusterId(kafkaDir.resolve("cluster-id"));
        List<ClusterMembership.Voter> voters = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            voters.add(new ClusterMembership.Voter(id, "127.0.0.1", freePort()));
        }
        String quorum = voters.stream().map(ClusterMembership.Voter::toString).collect(Collectors.joining(","));
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            // A cluster node's client port must stay the same across its restarts (clients and peers know it by it).
            int clientPort = port == 0 ? freePort() : port + id - 1;
            nodes.add(new Node(NAME + "-" + id, List.of("broker", "--port", String.valueOf(clientPort),
                    "--data-dir", kafkaDir.resolve("node-" + id).toString(), "--node-id", String.valueOf(id),
                    "--cluster-id", clusterId, "--controller-quorum", quorum)));
        }
        return nodes;
    }

    /**
     * Launches the {@link #plan}ned brokers, adds each to {@code children} as soon as it runs (so a failing start can
     * still stop them), waits until each prints {@code readyPrefix} and returns every node's client address.
     */
    public static String start(int count, int port, Path kafkaDir, Path logs, String readyPrefix, List<ChildJvm> children)
            throws IOException, InterruptedException {
        return start(plan(count, port, kafkaDir), logs, readyPrefix, children);
    }

    /** As {@link #start(int, int, Path, Path, String, List)}, for nodes already {@link #plan}ned. */
    public static String start(List<Node> nodes, Path logs, String readyPrefix, List<ChildJvm> children)
            throws IOException, InterruptedException {
        List<ChildJvm> launched = new ArrayList<>();
        for (Node node : nodes) {
            launched.add(node.launch(logs.resolve(node.name() + ".log")));
        }
        children.addAll(launched);
        return awaitReady(launched, readyPrefix);
    }

    /**
     * What a stack does when one of its brokers dies: a cluster of three or more (every topic has three copies,
     * {@code min.insync.replicas} 2) carries on without it while it is started again, up to {@code maxRestarts}
     * times per node; a smaller one, or a node that keeps dying, stops the stack (its services cannot do without).
     */
    public static final class Restarts {
        private final int clusterSize;
        private final int maxRestarts;
        private final Map<String, Integer> done = new HashMap<>();

        public Restarts(int clusterSize, int maxRestarts) {
            this.clusterSize = clusterSize;
            this.maxRestarts = maxRestarts;
        }

        /**
         * @return the number of this restart of the named broker (1, 2, ...)
         * @throws IllegalStateException why the stack cannot carry on instead
         */
        public int next(String broker) {
            if (clusterSize < 3) {
                throw new IllegalStateException(broker + " exited unexpectedly and a stack of " + clusterSize
                        + " broker(s) cannot do without it (from 3 brokers on, up carries on and restarts it)");
            }
            int n = done.merge(broker, 1, Integer::sum);
            if (n > maxRestarts) {
                throw new IllegalStateException(broker + " exited unexpectedly again after " + maxRestarts
                        + " restarts; giving up");
            }
            return n;
        }
    }

    /** Waits until every broker says it is ready; returns their client addresses, comma-separated. */
    public static String awaitReady(List<ChildJvm> brokers, String readyPrefix) throws IOException, InterruptedException {
        List<String> addresses = new ArrayList<>();
        for (ChildJvm broker : brokers) {
            addresses.add(broker.awaitLine(readyPrefix, Duration.ofSeconds(120)));
        }
        return String.join(",", addresses);
    }

    /** SIGTERM to every broker at once, then waits for each (SIGKILL after {@code grace}). */
    public static void stopAll(List<ChildJvm> children, Duration grace) throws InterruptedException {
        List<ChildJvm> brokers = children.stream().filter(LocalBrokers::isBroker).toList();
        brokers.forEach(ChildJvm::requestStop);
        for (ChildJvm broker : brokers) {
            broker.stop(grace);
        }
    }

    private static String clusterId(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        String id = ClusterMembership.newClusterId();
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
