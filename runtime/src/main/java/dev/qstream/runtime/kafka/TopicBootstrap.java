package dev.qstream.runtime.kafka;

import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.schemas.topics.TopicLayout.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes sure every topic of the layout exists, idempotently: each service runs it at start, so any of them can be
 * the first to come up. Also the fail-fast check: an unreachable cluster becomes a clear
 * {@link KafkaUnreachableException} within the timeout instead of a service that hangs.
 *
 * <p>Replication: a layout with {@link TopicLayout#AUTO_REPLICATION} gets its replication factor from the cluster's
 * size ({@link #replicationFor}); every topic created with three or more copies gets {@code min.insync.replicas=2},
 * so that with {@code acks=all} a write is on two brokers before it is acknowledged and one broker may be down
 * without stopping writes (fewer copies get 1: with two, one down must not stop the loop either).
 */
public final class TopicBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(TopicBootstrap.class);

    private TopicBootstrap() {
    }

    /**
     * The replication factor for a cluster of {@code brokers}: each broker holds a copy, up to three. Three copies
     * with two in sync survive a lost broker without stopping writes; more only cost disk and network. (The embedded
     * broker replicates Kafka's internal topics by the same rule.)
     */
    public static short replicationFor(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker, got " + brokers);
        }
        return (short) Math.min(brokers, 3);
    }

    /** {@code min.insync.replicas} of a topic with {@code replicationFactor} copies: 2 from three, else 1. */
    public static int minInSyncFor(int replicationFactor) {
        return replicationFactor >= 3 ? 2 : 1;
    }

    /**
     * The settings with a concrete replication factor: the layout's own, or (when it is
     * {@link TopicLayout#AUTO_REPLICATION}) the one {@link #replicationFor} the number of brokers the cluster has.
     */
    public static KafkaSettings resolveReplication(KafkaSettings settings, Duration timeout) {
        if (!settings.layout().autoReplication()) {
            return settings;
        }
        try (Admin admin = Admin.create(adminProps(settings, timeout))) {
            return resolveReplication(admin, settings, timeout);
        }
    }

    private static KafkaSettings resolveReplication(Admin admin, KafkaSettings settings, Duration timeout) {
        if (!settings.layout().autoReplication()) {
            return settings;
        }
        int brokers = await(admin.describeCluster().nodes(), timeout, settings).size();
        short factor = replicationFor(brokers);
        LOG.debug("{} broker(s): replication factor {}", brokers, factor);
        return settings.withLayout(settings.layout().withReplicationFactor(factor));
    }

    private static Properties adminProps(KafkaSettings settings, Duration timeout) {
        Properties props = settings.admin("qstream-topic-bootstrap");
        int ms = (int) Math.max(1000, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(ms, 10_000)));
        return props;
    }

    /** Creates the missing topics of {@code settings.layout()}; returns the names it created. */
    public static List<String> ensureTopics(KafkaSettings settings, Duration timeout) {
        int ms = (int) Math.max(1000, timeout.toMillis());
        try (Admin admin = Admin.create(adminProps(settings, timeout))) {
            Set<String> existing = await(admin.listTopics().names(), timeout, settings);
            List<NewTopic> missing = new ArrayList<>();
            List<TopicSpec> specs = settings.layout().specs().stream().filter(s -> !existing.contains(s.name())).toList();
            if (!specs.isEmpty()) {
                settings = resolveReplication(admin, settings, timeout);
            }
            short factor = settings.layout().replicationFactor();
            for (TopicSpec spec : specs) {
                Map<String, String> configs = new HashMap<>(spec.configs());
                configs.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInSyncFor(factor)));
                missing.add(new NewTopic(spec.name(), spec.partitions(), factor).configs(configs));
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            List<String> created = new ArrayList<>();
            Map<String, KafkaFuture<Void>> results = admin.createTopics(missing, new CreateTopicsOptions().timeoutMs(ms)).values();
            for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
                try {
                    result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                    // another service created it in the meantime: that is the idempotent case
                } catch (TimeoutException e) {
                    throw unreachable(settings, timeout, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                }
            }
            if (!created.isEmpty()) {
                awaitLeaders(admin, missing.stream().filter(t -> created.contains(t.name())).toList(), timeout, settings);
                LOG.info("created topics {} with replication factor {}", created, factor);
            }
            return created;
        }
    }

    /**
     * Waits until the broker leading each partition of the new topics serves it. createTopics returns once the
     * controller has recorded the topic, before the broker acts as leader; an idempotent producer whose very first
     * batch meets NOT_LEADER_OR_FOLLOWER there can have its later batches appended first, and then the first one is
     * refused as out of order for good (seen in SimulatorIT: 6 of 60 prompts lost). A leader in the metadata is not
     * enough (the broker applies leadership after publishing it: the test still lost prompts under load), so this asks
     * each partition's leader for its end offset, which only a serving leader answers.
     */
    private static void awaitLeaders(Admin admin, List<NewTopic> topics, Duration timeout, KafkaSettings settings) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        topics.forEach(t -> {
            for (int p = 0; p < t.numPartitions(); p++) {
                partitions.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
            }
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                await(admin.listOffsets(partitions).all(), timeout, settings);
                return;
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            }
        }
    }

    private static <T> T await(KafkaFuture<T> future, Duration timeout, KafkaSettings settings) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(settings, timeout, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(settings, timeout, e.getCause());
            }
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " refused the request: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while contacting Kafka", e);
        }
    }

    private static KafkaUnreachableException unreachable(KafkaSettings settings, Duration timeout, Throwable cause) {
        return new KafkaUnreachableException("Kafka is unreachable at " + settings.bootstrapServers()
                + ": no answer within " + timeout.toSeconds() + " s. Check --bootstrap-servers and that the "
                + "brokers are up (and the security settings, if the cluster needs them).", cause);
    }
}
