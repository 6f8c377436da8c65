package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes the scorer's own dead letters (records it decoded but cannot use, episodes and feedback it gave up on) to
 * the dead-letter sink, inside the same exactly-once transaction as everything else the task writes.
 */
final class DeadLetterForwarder {

    private final String consumer;
    private final ScorerMetrics metrics;
    private final ProcessorContext<String, SpecificRecordBase> context;

    DeadLetterForwarder(ScorerMetrics metrics, ProcessorContext<String, SpecificRecordBase> context) {
        // The same service/instance name the exception handlers write.
        this.consumer = DeadLetterExceptionHandlers.consumerName(context.appConfigs());
        this.metrics = metrics;
        this.context = context;
    }

    /** The input record being processed: its coordinates come from the context. */
    void input(String defaultTopic, String key, byte[] value, DeadLetterReason reason, String error, long timestamp) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        forward(meta == null ? defaultTopic : meta.topic(), meta == null ? -1 : meta.partition(),
                meta == null ? -1 : meta.offset(), key, value, reason, error, timestamp);
    }

    /** Something the scorer held in a store (no single source offset): partition and offset are -1. */
    void held(String sourceTopic, String key, byte[] value, DeadLetterReason reason, String error) {
        forward(sourceTopic, -1, -1, key, value, reason, error, context.currentSystemTimeMs());
    }

    private void forward(String topic, int partition, long offset, String key, byte[] value, DeadLetterReason reason,
                         String error, long timestamp) {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason)
                .setError(error)
                .setErrorClass("")
                .setConsumer(consumer)
                .setTimestamp(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        metrics.deadLettered(reason.name());
        context.forward(new Record<>(topic, (SpecificRecordBase) letter, timestamp), ScorerTopology.DLQ_SINK);
    }
}
