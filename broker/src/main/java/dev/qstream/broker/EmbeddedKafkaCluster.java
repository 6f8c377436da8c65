package dev.qstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A multi-node KRaft cluster inside this JVM, every node a broker and a controller voter, on loopback with
 * temporary data: for tests that need replication but not a process to kill. (A test that must kill a broker the
 * way a machine dies runs {@code qstream broker} nodes as child processes instead: an in-process node cannot be
 * stopped without running its shutdown, which hands its leaderships over cleanly.)
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private final List<EmbeddedKafkaBroker> nodes;

    private EmbeddedKafkaCluster(List<EmbeddedKafkaBroker> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code size} nodes side by side (each one waits for a quorum) and returns once all of them serve. */
    public static EmbeddedKafkaCluster start(int size, BrokerSettings base) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster has at least one node, got " + size);
        }
        List<ClusterMembership.Voter> voters = new ArrayList<>();
        try {
            for (int id = 1; id <= size; id++) {
                voters.add(new ClusterMembership.Voter(id, "127.0.0.1", EmbeddedKafkaBroker.freePort()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pick controller ports", e);
        }
        String clusterId = ClusterMembership.newClusterId();
        ExecutorService pool = Executors.newFixedThreadPool(size);
        List<Future<EmbeddedKafkaBroker>> starting = new ArrayList<>();
        for (ClusterMembership.Voter v : voters) {
            BrokerSettings s = base.inCluster(new ClusterMembership(v.nodeId(), clusterId, voters));
            starting.add(pool.submit(() -> EmbeddedKafkaBroker.start(s)));
        }
        List<EmbeddedKafkaBroker> started = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<EmbeddedKafkaBroker> f : starting) {
            try {
                started.add(f.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : new IllegalStateException("a cluster node failed to start: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted while starting the cluster", e);
            }
        }
        pool.shutdown();
        if (failure != null) {
            started.forEach(EmbeddedKafkaBroker::close);
            throw failure;
        }
        return new EmbeddedKafkaCluster(List.copyOf(started));
    }

    /** Every node's client address, comma-separated, as clients take them. */
    public String bootstrapServers() {
        return nodes.stream().map(EmbeddedKafkaBroker::bootstrapServers).collect(Collectors.joining(","));
    }

    public List<EmbeddedKafkaBroker> nodes() {
        return nodes;
    }

    /** The node with this {@code node.id} (1-based). */
    public EmbeddedKafkaBroker node(int nodeId) {
        return nodes.stream().filter(n -> n.nodeId() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + nodeId));
    }

    @Override
    public void close() {
        // Side by side again: a node shutting down alone waits for a controller that may already be gone.
        nodes.parallelStream().forEach(EmbeddedKafkaBroker::close);
    }
}
