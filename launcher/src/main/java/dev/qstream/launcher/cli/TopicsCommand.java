package dev.qstream.launcher.cli;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.launcher.options.ReplicationFactorConverter;
import dev.qstream.schemas.topics.TopicLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code qstream topics}: the topic layout, and optionally its creation on a cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Print every qstream topic with its partitions and configs.")
public final class TopicsCommand implements Callable<Integer> {

    @Option(names = "--topic-prefix", defaultValue = TopicLayout.DEFAULT_PREFIX, description = "Topic name prefix (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--partitions", defaultValue = "" + TopicLayout.DEFAULT_PARTITIONS, description = "Partitions of the shared topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "auto", paramLabel = "auto|N", converter = ReplicationFactorConverter.class,
            description = "Replication factor; auto = from the cluster's size with --create (1 on one broker, 2 on two, "
                    + "3 from three) (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--create", description = "Create the missing topics on --bootstrap-servers.")
    boolean create;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Cluster to create them on (with --create).")
    String bootstrapServers;

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties (security).")
    Path clientConfig;

    @Override
    public Integer call() {
        TopicLayout layout = new TopicLayout(prefix, partitions, replicationFactor);
        System.out.printf("%-22s %10s %8s  %s%n", "TOPIC", "PARTITIONS", "REPLICAS", "CONFIGS");
        for (TopicLayout.TopicSpec spec : layout.specs()) {
            Map<String, String> configs = new TreeMap<>(spec.configs());
            System.out.printf("%-22s %10d %8s  %s%n", spec.name(), spec.partitions(),
                    layout.autoReplication() ? "auto" : String.valueOf(spec.replicationFactor()), configs);
        }
        if (create) {
            if (bootstrapServers == null) {
                System.err.println("qstream topics: --create needs --bootstrap-servers");
                return 2;
            }
            List<String> created = TopicBootstrap.ensureTopics(
                    KafkaSettings.from(bootstrapServers, layout, clientConfig, System.getenv()), Duration.ofSeconds(20));
            System.out.println(created.isEmpty() ? "all topics exist" : "created " + created);
        }
        return 0;
    }
}
