package dev.qstream.runtime.kafka;

import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the cluster is and how to talk to it, shared by every service: bootstrap servers, the topic layout, and
 * client settings such as security (SASL/TLS) that come from a properties file and/or environment variables named
 * {@code QSTREAM_KAFKA_<PROPERTY_WITH_UNDERSCORES>} (e.g. {@code QSTREAM_KAFKA_SASL_MECHANISM=SCRAM-SHA-512}), and the
 * compression every producer uses ({@link Compression}; a {@code compression.type} among those client settings wins,
 * like any Kafka property there).
 */
public final class KafkaSettings {

    public static final String ENV_PREFIX = "QSTREAM_KAFKA_";

    private final String bootstrapServers;
    private final TopicLayout layout;
    private final Map<String, String> clientOverrides;
    private final Compression compression;

    /** Settings whose producers use {@link Compression#DEFAULT}. */
    public KafkaSettings(String bootstrapServers, TopicLayout layout, Map<String, String> clientOverrides) {
        this(bootstrapServers, layout, clientOverrides, Compression.DEFAULT);
    }

    public KafkaSettings(String bootstrapServers, TopicLayout layout, Map<String, String> clientOverrides,
                         Compression compression) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are required (HOST:PORT[,HOST:PORT...])");
        }
        for (String server : bootstrapServers.split(",")) {
            if (!server.strip().matches("[^:\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("bootstrap server '" + server.strip() + "' is not HOST:PORT");
            }
        }
        this.bootstrapServers = bootstrapServers;
        this.layout = Objects.requireNonNull(layout, "layout");
        this.clientOverrides = Map.copyOf(clientOverrides);
        this.compression = Objects.requireNonNull(compression, "compression");
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, TopicLayout.defaults(), Map.of());
    }

    /**
     * Settings from the command line plus an optional client properties file and the process environment.
     * Later sources win: file, then environment.
     */
    public static KafkaSettings from(String bootstrapServers, TopicLayout layout, Path clientConfigFile,
                                     Map<String, String> environment) {
        Map<String, String> overrides = new HashMap<>();
        if (clientConfigFile != null) {
            overrides.putAll(readProperties(clientConfigFile));
        }
        overrides.putAll(fromEnvironment(environment));
        return new KafkaSettings(bootstrapServers, layout, overrides);
    }

    static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> result = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                String property = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                result.put(property, value);
            }
        });
        return result;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka client config " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public TopicLayout layout() {
        return layout;
    }

    public String topic(QstreamTopic topic) {
        return layout.name(topic);
    }

    public KafkaSettings withOverrides(Map<String, String> extra) {
        Map<String, String> merged = new HashMap<>(clientOverrides);
        merged.putAll(extra);
        return new KafkaSettings(bootstrapServers, layout, merged, compression);
    }

    /** The same settings with another topic layout (e.g. the replication factor chosen from the cluster). */
    public KafkaSettings withLayout(TopicLayout other) {
        return new KafkaSettings(bootstrapServers, other, clientOverrides, compression);
    }

    /** The same settings with producers compressing as {@code choice} says. */
    public KafkaSettings withCompression(Compression choice) {
        return new KafkaSettings(bootstrapServers, layout, clientOverrides, choice);
    }

    public Compression compression() {
        return compression;
    }

    /**
     * The {@code compression.type} this process's producers get: a {@code compression.type} client setting (file or
     * {@code QSTREAM_KAFKA_COMPRESSION_TYPE}) if there is one, else {@link #compression()}. Kafka Streams is handed it
     * explicitly (its producer does not use {@link #producer}).
     */
    public String compressionType() {
        return clientOverrides.getOrDefault(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.configValue());
    }

    /** Settings common to every client: where the cluster is, how to authenticate, how long to wait. */
    public Properties common(String clientId) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        // Re-resolve and retry quickly on a flapping broker, but never spin.
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, "100");
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        clientOverrides.forEach(p::put);
        return p;
    }

    /** A byte-array producer: idempotent, acks=all, batched. Services encode with their serdes. */
    public Properties producer(String clientId) {
        Properties p = common(clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.configValue());
        clientOverrides.forEach(p::put);
        return p;
    }

    /** A byte-array consumer in a group, reading committed data only (the scorer and learner write transactionally). */
    public Properties consumer(String clientId, String groupId) {
        Properties p = common(clientId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        clientOverrides.forEach(p::put);
        return p;
    }

    public Properties admin(String clientId) {
        Properties p = common(clientId);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        clientOverrides.forEach(p::put);
        return p;
    }
}
