package dev.qstream.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A Kafka node (KRaft, broker and controller in one) running inside this JVM, built from Kafka's own classes: the
 * storage format step runs in-process through {@link StorageTool#execute} (no System.exit path), then
 * {@link KafkaRaftServer} starts on loopback. By default it is a cluster of its own (replication factor 1 for the
 * internal topics); with {@link BrokerSettings#inCluster} it is one node of a multi-node cluster (every node also a
 * controller voter), and the internal topics are replicated like qstream's topics: three copies from three nodes,
 * {@code min.insync.replicas=2}. A small log-cleaner buffer lets it fit in a small heap.
 *
 * <p>A node of a cluster only finishes starting once a majority of the quorum is up (it waits to catch up with the
 * active controller), so the nodes of a cluster must be started side by side, not one after another.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    /** The node id of a broker that is a cluster of its own. */
    private static final int SINGLE_NODE_ID = 1;

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final int controllerPort;
    private final Properties properties;
    private final String clusterId;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteOnClose, int port, int controllerPort, Properties properties,
                                String clusterId) {
        this.clusterId = clusterId;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
        this.properties = properties;
    }

    /** Formats the data directory if it is new and starts the broker; returns once it accepts connections. */
    public static EmbeddedKafkaBroker start(BrokerSettings settings) {
        try {
            boolean temporary = settings.dataDir() == null;
            Path dir = temporary ? Files.createTempDirectory("qstream-kafka-") : settings.dataDir();
            Files.createDirectories(dir);
            int port = settings.port() == 0 ? freePort() : settings.port();
            int controllerPort = settings.controllerPort() == 0 ? freePort() : settings.controllerPort();
            Properties props = serverProperties(dir.resolve("log"), port, controllerPort, settings);
            String clusterId = settings.cluster() != null ? settings.cluster().clusterId() : ClusterMembership.newClusterId();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, temporary, port, controllerPort, props, clusterId);
            broker.formatIfNew(settings.scramUsers());
            broker.startServer();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded broker's data directory", e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Where this node's controller listens. */
    public int controllerPort() {
        return controllerPort;
    }

    public int nodeId() {
        return Integer.parseInt(properties.getProperty("node.id"));
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isRunning() {
        return server != null;
    }

    /** Stops the broker but keeps its data, so {@link #restart()} brings back the same topics on the same port. */
    public synchronized void stop() {
        if (server != null) {
            LOG.info("stopping embedded Kafka broker at {}", bootstrapServers());
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts a stopped broker again with the same data directory and ports. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    private synchronized void startServer() {
        KafkaConfig config = KafkaConfig.fromProps(properties, false);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        LOG.info("embedded Kafka broker listening at {} (data in {})", bootstrapServers(), dataDir);
    }

    private void formatIfNew(Map<String, String> scramUsers) throws IOException {
        Path logDir = Path.of(properties.getProperty("log.dirs"));
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // already formatted: reuse topics and offsets
        }
        Path config = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            properties.store(out, "qstream embedded broker");
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("format", "-t", clusterId,
                "-c", config.toString(), "--ignore-formatted"));
        scramUsers.forEach((user, password) -> {
            args.add("--add-scram");
            args.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
        });
        int code;
        try (PrintStream print = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(args.toArray(new String[0]), print);
        }
        if (code != 0) {
            throw new IllegalStateException("formatting the broker's storage failed (code " + code + "): "
                    + captured.toString(StandardCharsets.UTF_8));
        }
    }

    static Properties serverProperties(Path logDir, int port, int controllerPort, BrokerSettings settings) {
        Properties p = new Properties();
        ClusterMembership cluster = settings.cluster();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(cluster == null ? SINGLE_NODE_ID : cluster.nodeId()));
        // A static quorum: every node knows every controller from its configuration, so formatting needs no
        // --standalone / --initial-controllers step and a node restarted with the same settings simply rejoins.
        p.setProperty("controller.quorum.voters", cluster == null ? SINGLE_NODE_ID + "@127.0.0.1:" + controllerPort
                : cluster.votersConfig());
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        // The internal topics (group offsets, transaction state, share state) are replicated like qstream's own:
        // one copy on one node, three copies from three nodes with two in sync. Without the transaction-log
        // settings matching the cluster, initTransactions() (and so the scorer's exactly_once_v2) times out.
        // default.replication.factor and min.insync.replicas are what Kafka Streams' internal topics get (the scorer
        // asks for the broker default when the replication factor is left to the cluster size).
        short rf = ClusterMembership.replicationFor(settings.clusterSize());
        String minIsr = String.valueOf(ClusterMembership.minInSyncFor(rf));
        p.setProperty("offsets.topic.replication.factor", String.valueOf(rf));
        p.setProperty("offsets.topic.num.partitions", "8");
        p.setProperty("transaction.state.log.replication.factor", String.valueOf(rf));
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        p.setProperty("default.replication.factor", String.valueOf(rf));
        p.setProperty("min.insync.replicas", minIsr);
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB dedupe buffer is what makes a small heap die; compaction of qstream.model needs little.
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        // Topics are created on purpose by the services; a typo should fail, not create a topic.
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", "1");
        p.setProperty("log.retention.check.interval.ms", "60000");
        if (settings.secured()) {
            // Clients authenticate with SCRAM and are authorized by ACLs. The controller listener stays plaintext on
            // loopback; its (anonymous) principal is the broker talking to its own controller.
            String admin = settings.scramUsers().keySet().iterator().next();
            String password = settings.scramUsers().get(admin);
            p.setProperty("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
            p.setProperty("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.setProperty("inter.broker.listener.name", "SASL_PLAINTEXT");
            p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.setProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
            p.setProperty("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + admin
                            + "\" password=\"" + password + "\";");
            p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.setProperty("super.users", "User:" + admin + ";User:ANONYMOUS");
            p.setProperty("allow.everyone.if.no.acl.found", "false");
        }
        p.putAll(settings.overrides());
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.getMessage());
        }
    }
}
