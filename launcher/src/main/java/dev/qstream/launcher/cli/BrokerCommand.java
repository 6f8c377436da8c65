package dev.qstream.launcher.cli;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.ClusterMembership;
import dev.qstream.broker.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code qstream broker}: the embedded KRaft broker on its own: a single node by default, or one node of a
 * multi-node cluster when given its node id, the cluster id and the controller quorum (every node is a broker and a
 * controller voter; start all of them with the same quorum and cluster id).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run an embedded Kafka (KRaft) broker on 127.0.0.1 and print its bootstrap address.",
                "A single node by default; with --node-id, --cluster-id and --controller-quorum, one node of a cluster "
                        + "(each node a broker and a controller). For three nodes, e.g.:",
                "  ID=$(./qstream broker --new-cluster-id)",
                "  ./qstream broker --node-id 1 --cluster-id $ID --port 9092 --data-dir d1 "
                        + "--controller-quorum 1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094",
                "  (and nodes 2 and 3 with their own --port and --data-dir)"})
public final class BrokerCommand implements Callable<Integer> {

    /** The line prefix {@code up} (and scripts) read the address from. */
    public static final String READY_PREFIX = "qstream broker ready at ";

    @Option(names = "--port", defaultValue = "0", description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep topics here across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Option(names = "--node-id", paramLabel = "N",
            description = "This node's id in a multi-node cluster; one of the ids in --controller-quorum.")
    Integer nodeId;

    @Option(names = "--cluster-id", paramLabel = "ID",
            description = "The cluster id every node of a multi-node cluster is formatted with (see --new-cluster-id).")
    String clusterId;

    @Option(names = "--controller-quorum", paramLabel = "ID@HOST:PORT[,ID@HOST:PORT...]",
            description = "Every node's controller address (Kafka's controller.quorum.voters); this node's controller "
                    + "listens on its own entry's port.")
    String controllerQuorum;

    @Option(names = "--new-cluster-id", description = "Print a fresh cluster id and exit.")
    boolean newClusterId;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        if (newClusterId) {
            System.out.println(ClusterMembership.newClusterId());
            return 0;
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings());
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broker-shutdown"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(stop::countDown));
        }
        System.out.println(READY_PREFIX + broker.bootstrapServers());
        System.out.flush();
        stop.await();
        broker.close();
        closed.countDown();
        return 0;
    }

    /** The node's settings; a partial cluster description is refused before anything starts. */
    public BrokerSettings settings() {
        BrokerSettings settings = BrokerSettings.ephemeral().withDataDir(dataDir).withPort(port);
        if (nodeId == null && clusterId == null && controllerQuorum == null) {
            return settings;
        }
        if (nodeId == null || clusterId == null || controllerQuorum == null) {
            throw new IllegalArgumentException("a cluster node needs all of --node-id, --cluster-id and --controller-quorum "
                    + "(missing: " + String.join(", ", missing()) + "); without them the broker is a single node");
        }
        return settings.inCluster(new ClusterMembership(nodeId, clusterId, ClusterMembership.parseVoters(controllerQuorum)));
    }

    private java.util.List<String> missing() {
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (nodeId == null) {
            missing.add("--node-id");
        }
        if (clusterId == null) {
            missing.add("--cluster-id");
        }
        if (controllerQuorum == null) {
            missing.add("--controller-quorum");
        }
        return missing;
    }
}
