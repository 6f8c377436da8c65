package dev.qstream.scorer.stream;

import dev.qstream.runtime.deadletter.DeadLetterPublisher;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.serde.Serdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Kafka Streams exception handlers that turn a bad record into a {@code qstream.dlq} record (written by Streams
 * itself, inside the same exactly-once transaction) and carry on with the next record.
 */
public final class DeadLetterExceptionHandlers {

    /** Config key: the dead-letter topic. */
    public static final String DLQ_TOPIC = "qstream.dlq.topic";
    /** Config key: the consumer name written into dead letters. */
    public static final String CONSUMER_NAME = "qstream.consumer.name";
    /** Config key: a Micrometer {@link MeterRegistry} to count dead letters in (optional, an object value). */
    public static final String METER_REGISTRY = "qstream.meter.registry";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterExceptionHandlers.class);

    private DeadLetterExceptionHandlers() {
    }

    /**
     * Who the scorer's dead letters name as their writer ({@code service/instance}): {@link #CONSUMER_NAME} from the
     * Streams config, which {@code ScorerTopology} always sets (and the service sets to its instance id).
     */
    static String consumerName(Map<String, ?> configs) {
        Object name = configs.get(CONSUMER_NAME);
        return name != null ? name.toString() : "scorer/scorer";
    }

    /** Shared configuration of the three handlers. */
    abstract static class Base {
        String dlqTopic = "qstream.dlq";
        String consumer = consumerName(Map.of());
        MeterRegistry registry;

        public void configure(Map<String, ?> configs) {
            Object topic = configs.get(DLQ_TOPIC);
            if (topic != null) {
                dlqTopic = topic.toString();
            }
            consumer = consumerName(configs);
            if (configs.get(METER_REGISTRY) instanceof MeterRegistry r) {
                registry = r;
            }
        }

        List<ProducerRecord<byte[], byte[]>> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
                                                        DeadLetterReason reason, Exception e) {
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("dead letter from {}-{}@{} ({}): {}", topic, partition, offset, reason, error);
            if (registry != null) {
                Counter.builder(DeadLetterPublisher.METRIC)
                        .tag("source", topic).tag("reason", reason.name()).register(registry).increment();
            }
            DeadLetter letter = DeadLetter.newBuilder()
                    .setSourceTopic(topic)
                    .setPartition(partition)
                    .setOffset(offset)
                    .setKey(key == null ? null : ByteBuffer.wrap(key))
                    .setValue(value == null ? null : ByteBuffer.wrap(value))
                    .setReason(reason)
                    .setError(error)
                    .setErrorClass(e.getClass().getName())
                    .setConsumer(consumer)
                    .setTimestamp(Instant.now())
                    .build();
            return List.of(new ProducerRecord<>(dlqTopic, topic.getBytes(StandardCharsets.UTF_8),
                    Serdes.DEAD_LETTER.encode(letter)));
        }
    }

    /** Undecodable input: dead-letter the raw bytes, go on. */
    public static final class Deserialization extends Base implements DeserializationExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
            return Response.resume(deadLetter(record.topic(), record.partition(), record.offset(), record.key(),
                    record.value(), DeadLetterReason.DESERIALIZATION, exception));
        }
    }

    /** A processor threw on a record: dead-letter the source record, go on. */
    public static final class Processing extends Base implements ProcessingExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            return Response.resume(deadLetter(context.topic(), context.partition(), context.offset(),
                    context.sourceRawKey(), context.sourceRawValue(), DeadLetterReason.PROCESSING, exception));
        }
    }

    /** An output record could not be serialized or written: dead-letter the source record, go on. */
    public static final class Production extends Base implements ProductionExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
            return Response.resume(deadLetter(context.topic(), context.partition(), context.offset(),
                    context.sourceRawKey(), context.sourceRawValue(), DeadLetterReason.PRODUCTION, exception));
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                                 SerializationExceptionOrigin origin) {
            return Response.resume(deadLetter(context.topic(), context.partition(), context.offset(),
                    context.sourceRawKey(), context.sourceRawValue(), DeadLetterReason.PRODUCTION, exception));
        }
    }
}
