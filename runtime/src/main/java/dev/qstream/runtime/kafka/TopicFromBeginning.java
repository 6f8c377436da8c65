package dev.qstream.runtime.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads a topic from its beginning with a consumer of its own (assigned every partition, no group), and knows when it
 * has read everything that was on the topic when it started: the end offsets are taken once, at the start, so
 * records published later do not move the goal. For the topics whose whole history is state: the model topic (the
 * actors read to the end and keep following, the learner reads to the end once to resume from the newest version)
 * and the deployment log. Not thread-safe (neither is the consumer): use it from one thread.
 */
public final class TopicFromBeginning {

    /** What to do with each record read. */
    @FunctionalInterface
    public interface RecordHandler {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Map<TopicPartition, Long> end;

    private TopicFromBeginning(Consumer<byte[], byte[]> consumer, String topic, Map<TopicPartition, Long> end) {
        this.consumer = consumer;
        this.topic = topic;
        this.end = Map.copyOf(end);
    }

    /**
     * Assigns every partition of {@code topic} to {@code consumer}, seeks to their beginning and notes their end
     * offsets now, waiting up to {@code timeout} for each of these lookups.
     */
    public static TopicFromBeginning of(Consumer<byte[], byte[]> consumer, String topic, Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return new TopicFromBeginning(consumer, topic, consumer.endOffsets(partitions, timeout));
    }

    /** The next records, waiting up to {@code timeout} for some. */
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    /** True once every record that was on the topic at the start has been polled. */
    public boolean reachedEnd() {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Polls, handing every record to {@code handler}, until {@link #reachedEnd()}.
     *
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public void readToEnd(Duration timeout, RecordHandler handler) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reachedEnd()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : poll(Duration.ofMillis(200))) {
                handler.accept(record);
            }
        }
    }
}
