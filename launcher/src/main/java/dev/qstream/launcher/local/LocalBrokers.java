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

    /**
     * Launches {@code count} brokers, adds each to {@code children} as soon as it runs (so a failing start can still
     * stop them), waits until each prints {@code readyPrefix} and returns every node's client address.
     *
     * @param port     client port of the first node, the others following it; 0 = free ports
     * @param kafkaDir the data directory (a cluster's nodes get {@code node-N} under it, and the cluster id is kept
     *                 in {@code cluster-id}, so a stack restarted on the same directory finds its cluster again)
     */
    public static String start(int count, int port, Path kafkaDir, Path logs, String readyPrefix, List<ChildJvm> children)
            throws IOException, InterruptedException {
        if (count < 1) {
            throw new IllegalArgumentException("--brokers must be >= 1, got " + count);
        }
        List<ChildJvm> launched = new ArrayList<>();
        if (count == 1) {
            launched.add(ChildJvm.launch(NAME, JVM, List.of("broker", "--port", String.valueOf(port),
                    "--data-dir", kafkaDir.toString()), Map.of(), logs.resolve("broker.log")));
        } else {
            Files.createDirectories(kafkaDir);
            String clusterId = clusterId(kafkaDir.resolve("cluster-id"));
            List<ClusterMembership.Voter> voters = new ArrayList<>();
            for (int id = 1; id <= count; id++) {
                voters.add(new ClusterMembership.Voter(id, "127.0.0.1", freePort()));
            }
            String quorum = voters.stream().map(ClusterMembership.Voter::toString).collect(Collectors.joining(","));
            for (int id = 1; id <= count; id++) {
                int clientPort = port == 0 ? 0 : port + id - 1;
                launched.add(ChildJvm.launch(NAME + "-" + id, JVM, List.of("broker", "--port", String.valueOf(clientPort),
                                "--data-dir", kafkaDir.resolve("node-" + id).toString(), "--node-id", String.valueOf(id),
                                "--cluster-id", clusterId, "--controller-quorum", quorum),
                        Map.of(), logs.resolve(NAME + "-" + id + ".log")));
            }
        }
        children.addAll(launched);
        List<String> addresses = new ArrayList<>();
        for (ChildJvm broker : launched) {
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
