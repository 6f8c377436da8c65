package dev.qstream.runtime.schemas;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.SchemaRegistration;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.SchemaHistory;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.SchemaCatalog;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code qstream.schemas} topic as a schema store, so no registry server is needed: every service announces
 * the writer schemas it was built with at start (keyed by fingerprint, compacted), and a decoder that meets a
 * fingerprint it does not know asks here. Lookups of unknown fingerprints re-read the topic at most once per
 * {@code refreshInterval}, so a stream of garbage cannot turn into a stream of reads.
 */
public final class TopicSchemaDirectory implements SchemaStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSchemaDirectory.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();
    private final Duration refreshInterval;
    private long lastRefreshNanos;
    private boolean assigned;

    public TopicSchemaDirectory(KafkaSettings settings, String clientId, Duration refreshInterval) {
        this.consumer = new KafkaConsumer<>(settings.consumer(clientId, null));
        this.partition = new TopicPartition(settings.topic(QstreamTopic.SCHEMAS), 0);
        this.refreshInterval = refreshInterval;
    }

    /** Announces the schemas this build writes (every versioned record's current schema). */
    public static int announce(KafkaSettings settings, String registeredBy) {
        String topic = settings.topic(QstreamTopic.SCHEMAS);
        int count = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer(registeredBy + "-schemas"))) {
            for (var type : SchemaCatalog.versionedRecords()) {
                Schema schema = SpecificData.get().getSchema(type);
                long fingerprint = SchemaHistory.fingerprint(schema);
                SchemaRegistration registration = SchemaRegistration.newBuilder()
                        .setFingerprint(fingerprint)
                        .setSchemaJson(schema.toString())
                        .setRegisteredBy(registeredBy)
                        .setRegisteredAt(Instant.now())
                        .build();
                producer.send(new ProducerRecord<>(topic, Long.toHexString(fingerprint).getBytes(StandardCharsets.UTF_8),
                        Serdes.SCHEMA_REGISTRATION.encode(registration)));
                count++;
            }
            producer.flush();
        }
        return count;
    }

    @Override
    public synchronized Schema findByFingerprint(long fingerprint) {
        Schema known = schemas.get(fingerprint);
        if (known != null) {
            return known;
        }
        long now = System.nanoTime();
        if (assigned && now - lastRefreshNanos < refreshInterval.toNanos()) {
            return null;
        }
        lastRefreshNanos = now;
        refresh();
        return schemas.get(fingerprint);
    }

    /** Reads the topic from where it left off to its current end. */
    public synchronized void refresh() {
        try {
            if (!assigned) {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                assigned = true;
            }
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (consumer.position(partition, Duration.ofSeconds(5)) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    learn(record);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("could not read the schema topic: {}", e.getMessage());
        }
    }

    private void learn(ConsumerRecord<byte[], byte[]> record) {
        try {
            SchemaRegistration r = Serdes.SCHEMA_REGISTRATION.decode(record.value());
            Schema schema = new Schema.Parser().parse(r.getSchemaJson());
            long fingerprint = SchemaHistory.fingerprint(schema);
            if (fingerprint != r.getFingerprint()) {
                LOG.warn("schema announcement from {} claims fingerprint {} but the schema's is {}; ignored",
                        r.getRegisteredBy(), Long.toHexString(r.getFingerprint()), Long.toHexString(fingerprint));
                return;
            }
            schemas.put(fingerprint, schema);
        } catch (AvroDecodeException | SchemaParseException e) {
            LOG.warn("ignoring an unreadable schema announcement at offset {}: {}", record.offset(), e.getMessage());
        }
    }

    public int size() {
        return schemas.size();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
