package dev.qstream.console.telemetry;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads topics once, from a start position to the end they had when the read began, without a consumer group (it
 * commits nothing and disturbs no one): how {@code status} and {@code report} take their snapshot of the loop.
 */
public final class TopicWindowReader {

    /** Finding the topics is quick when the cluster answers; a long read timeout must not mean a long wait for "no". */
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private TopicWindowReader() {
    }

    /**
     * @param starts where to start on each topic
     * @param sink   receives each record with the topic it came from
     * @return records read
     * @throws IllegalStateException when the topics cannot be read to their end within {@code timeout}
     */
    public static long read(KafkaSettings settings, String clientId, Map<QstreamTopic, StartPosition> starts,
                            Duration timeout, BiConsumer<QstreamTopic, ConsumerRecord<byte[], byte[]>> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration metadata = timeout.compareTo(METADATA_TIMEOUT) < 0 ? timeout : METADATA_TIMEOUT;
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(clientId, null))) {
            List<TopicPartition> all = new ArrayList<>();
            Map<String, QstreamTopic> byName = new HashMap<>();
            for (Map.Entry<QstreamTopic, StartPosition> e : starts.entrySet()) {
                String name = settings.topic(e.getKey());
                byName.put(name, e.getKey());
                List<PartitionInfo> infos = consumer.partitionsFor(name, metadata);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + name + " does not exist (is the loop running on this cluster?)");
                }
                List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(name, p.partition())).toList();
                all.addAll(partitions);
            }
            consumer.assign(all);
            for (Map.Entry<QstreamTopic, StartPosition> e : starts.entrySet()) {
                String name = settings.topic(e.getKey());
                e.getValue().apply(consumer, all.stream().filter(tp -> tp.topic().equals(name)).toList(), metadata);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, metadata);
            while (!caughtUp(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the loop's topics within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        sink.accept(byName.get(r.topic()), r);
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
