package dev.qstream.console.dashboard;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Makes the dashboard dead-letter each bad record of the topics it is the main consumer of exactly once, although
 * it re-reads their recent history at every start to rebuild its charts. The offsets it has judged are committed
 * under the dashboard's consumer group (with manual assignment: the group only stores offsets); on start, records
 * below the committed offsets were judged by an earlier run, so bad ones among them are skipped, not dead-lettered
 * again. Dashboards sharing a group share the frontier.
 */
final class DeadLetterFrontier {

    private final Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> committedAtStart = new HashMap<>();
    private final Collection<TopicPartition> partitions;

    DeadLetterFrontier(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions, Duration timeout) {
        this.consumer = consumer;
        this.partitions = partitions;
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions), timeout);
        committed.forEach((tp, om) -> {
            if (om != null) {
                committedAtStart.put(tp, om.offset());
            }
        });
    }

    /** Whether an earlier run already judged (and if need be dead-lettered) this record. */
    boolean alreadyJudged(String topic, int partition, long offset) {
        Long committed = committedAtStart.get(new TopicPartition(topic, partition));
        return committed != null && offset < committed;
    }

    /** Records that everything before the consumer's current positions has been judged. */
    void commitPositions() {
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
            positions.put(tp, new OffsetAndMetadata(consumer.position(tp, Duration.ofSeconds(5))));
        }
        consumer.commitSync(positions, Duration.ofSeconds(10));
    }
}
