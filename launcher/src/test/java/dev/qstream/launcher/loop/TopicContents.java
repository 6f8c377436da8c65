package dev.qstream.launcher.loop;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Everything a topic holds right now, every partition, committed records only (as services read it). */
final class TopicContents {

    private TopicContents() {
    }

    static List<ConsumerRecord<byte[], byte[]>> read(KafkaSettings settings, QstreamTopic topic) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("topic-contents", null))) {
            String name = settings.topic(topic);
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(name, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(name, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + name + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    /** Sum of the partitions' end offsets (for read_committed: the last stable offsets). */
    static long endOffsetSum(KafkaSettings settings, QstreamTopic topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("topic-ends", null))) {
            String name = settings.topic(topic);
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(name, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(name, p.partition()));
            }
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
