package dev.qstream.launcher.options;

import dev.qstream.runtime.kafka.Compression;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.TopicLayout;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where Kafka is and how the topics are laid out: the same options on every command that talks to Kafka. Commands
 * that also produce records take {@link ProducingKafkaOptions}, which adds {@code --compression}.
 */
public class KafkaOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers (required; or $QSTREAM_BOOTSTRAP_SERVERS).")
    public String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = TopicLayout.DEFAULT_PREFIX,
            description = "Prefix of every topic name (default: ${DEFAULT-VALUE}).")
    public String topicPrefix;

    @Option(names = "--partitions", defaultValue = "" + TopicLayout.DEFAULT_PARTITIONS,
            description = "Partitions of the shared topics when this service creates them (default: ${DEFAULT-VALUE}).")
    public int partitions;

    @Option(names = "--replication-factor", defaultValue = "auto", paramLabel = "auto|N",
            converter = ReplicationFactorConverter.class,
            description = "Replication factor of topics this service creates: auto = from the cluster's size (1 on one "
                    + "broker, 2 on two, 3 from three; min.insync.replicas 2 with three copies) (default: ${DEFAULT-VALUE}).")
    public short replicationFactor;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Kafka client properties (security: security.protocol, sasl.*, ssl.*). "
                    + "QSTREAM_KAFKA_<PROPERTY> environment variables override it.")
    public Path clientConfig;

    @Option(names = "--startup-timeout", defaultValue = "20s", converter = DurationConverter.class,
            description = "How long to wait for Kafka at start before exiting with an error (default: ${DEFAULT-VALUE}).")
    public Duration startupTimeout;

    public KafkaSettings settings() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers (or $QSTREAM_BOOTSTRAP_SERVERS) is required");
        }
        return KafkaSettings.from(bootstrapServers, new TopicLayout(topicPrefix, partitions, replicationFactor),
                clientConfig, System.getenv()).withCompression(compression());
    }

    /** How this command's producers compress; a command that only reads never builds one. */
    protected Compression compression() {
        return Compression.DEFAULT;
    }
}
