package dev.qstream.runtime.deadletter;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;

/**
 * Sends records a consumer cannot use to {@code qstream.dlq} with the raw bytes, where they came from and why, and
 * counts them per source topic and reason ({@code qstream.deadletters}). Never throws: a dead letter that cannot
 * be written is logged with its coordinates so that it is still not lost silently.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    public static final String METRIC = "qstream.deadletters";

    private final Producer<byte[], byte[]> producer;
    private final String dlqTopic;
    private final String consumerName;
    private final MeterRegistry registry;

    /**
     * The one form of {@code DeadLetter.consumer} every service writes, {@code service/instance} (e.g.
     * {@code actor/actor-1}, {@code scorer/scorer-1}), so a dead-letter topic reads the same whoever wrote it.
     */
    public static String consumerName(String service, String instanceId) {
        if (service.isBlank() || instanceId.isBlank() || service.contains("/")) {
            throw new IllegalArgumentException("a dead-letter consumer is service/instance, got '" + service + "' and '" + instanceId + "'");
        }
        return service + "/" + instanceId;
    }

    /** @param consumerName who dead-letters, as {@link #consumerName(String, String)} forms it */
    public DeadLetterPublisher(KafkaSettings settings, String consumerName, MeterRegistry registry) {
        this.producer = new KafkaProducer<>(boundedBlocking(settings.producer(consumerName + "-dlq")));
        this.dlqTopic = settings.topic(QstreamTopic.DLQ);
        this.consumerName = consumerName;
        this.registry = registry;
    }

    /** A consumer thread must not hang on a dead letter while Kafka is away: block at most 10 s. */
    private static Properties boundedBlocking(Properties p) {
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        return p;
    }

    /** Dead-letters a record read from Kafka. */
    public void publish(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String error, Throwable cause) {
        publish(record.topic(), record.partition(), record.offset(), record.key(), record.value(), reason, error, cause);
    }

    /** Dead-letters input that did not come from Kafka (HTTP, files): partition and offset -1. */
    public void publish(String source, byte[] key, byte[] value, DeadLetterReason reason, String error, Throwable cause) {
        publish(source, -1, -1, key, value, reason, error, cause);
    }

    public void publish(String sourceTopic, int partition, long offset, byte[] key, byte[] value,
                        DeadLetterReason reason, String error, Throwable cause) {
        counter(sourceTopic, reason).increment();
        LOG.warn("dead letter from {}-{}@{} ({}): {}", sourceTopic, partition, offset, reason, error);
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason)
                .setError(error == null ? "" : error)
                .setErrorClass(cause == null ? "" : cause.getClass().getName())
                .setConsumer(consumerName)
                .setTimestamp(Instant.now())
                .build();
        try {
            producer.send(new ProducerRecord<>(dlqTopic, sourceTopic.getBytes(StandardCharsets.UTF_8),
                    Serdes.DEAD_LETTER.encode(letter)), (metadata, exception) -> {
                if (exception != null) {
                    LOG.error("could not write dead letter for {}-{}@{} to {}: {}", sourceTopic, partition, offset,
                            dlqTopic, exception.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.error("could not write dead letter for {}-{}@{} to {}: {}", sourceTopic, partition, offset, dlqTopic,
                    e.getMessage());
        }
    }

    public void flush() {
        producer.flush();
    }

    private Counter counter(String sourceTopic, DeadLetterReason reason) {
        return Counter.builder(METRIC)
                .description("records sent to the dead-letter topic")
                .tag("source", sourceTopic)
                .tag("reason", reason.name())
                .register(registry);
    }

    @Override
    public void close() {
        producer.close();
    }
}
