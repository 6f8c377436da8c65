package dev.qstream.runtime.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicFromBeginningTest {

    private static final String TOPIC = "qstream.model";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    /** A two-partition topic starting at offset 0 whose end offsets are {@code end0} and {@code end1}. */
    private static MockConsumer<byte[], byte[]> topic(long end0, long end1) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null),
                new PartitionInfo(TOPIC, 1, node, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.updateEndOffsets(Map.of(P0, end0, P1, end1));
        return consumer;
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(TOPIC, tp.partition(), offset, ("k" + offset).getBytes(StandardCharsets.UTF_8),
                (tp.partition() + "/" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).sorted().toList();
    }

    @Test
    void readsEveryPartitionFromItsBeginningToTheEndItHadAtTheStart() {
        try (MockConsumer<byte[], byte[]> consumer = topic(3, 2)) {
            TopicFromBeginning reader = TopicFromBeginning.of(consumer, TOPIC, Duration.ofSeconds(5));
            assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
            assertThat(reader.reachedEnd()).isFalse();
            for (long o = 0; o < 3; o++) {
                consumer.addRecord(record(P0, o));
            }
            for (long o = 0; o < 2; o++) {
                consumer.addRecord(record(P1, o));
            }

            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            reader.readToEnd(Duration.ofMinutes(1), read::add);

            assertThat(values(read)).containsExactly("0/0", "0/1", "0/2", "1/0", "1/1");
            assertThat(reader.reachedEnd()).isTrue();
            // What is published later is read by polling on; it does not move the end the reader was after.
            consumer.addRecord(record(P1, 2));
            consumer.updateEndOffsets(Map.of(P1, 3L));
            assertThat(reader.reachedEnd()).isTrue();
            assertThat(values(List.copyOf(reader.poll(Duration.ZERO).records(P1)))).containsExactly("1/2");
        }
    }

    @Test
    void anEmptyTopicIsReadAtOnce() {
        try (MockConsumer<byte[], byte[]> consumer = topic(0, 0)) {
            TopicFromBeginning reader = TopicFromBeginning.of(consumer, TOPIC, Duration.ofSeconds(5));
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            reader.readToEnd(Duration.ofMinutes(1), read::add);
            assertThat(read).isEmpty();
            assertThat(reader.reachedEnd()).isTrue();
        }
    }

    @Test
    void aTopicThatCannotBeReadToItsEndInTimeIsAnError() {
        try (MockConsumer<byte[], byte[]> consumer = topic(5, 0)) {
            TopicFromBeginning reader = TopicFromBeginning.of(consumer, TOPIC, Duration.ofSeconds(5));
            consumer.addRecord(record(P0, 0)); // four of the five records never arrive
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            assertThatThrownBy(() -> reader.readToEnd(Duration.ofMillis(50), read::add))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not read " + TOPIC + " to its end");
            assertThat(values(read)).containsExactly("0/0");
        }
    }
}
