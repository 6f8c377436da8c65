package dev.qstream.console.telemetry;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a reader starts on a topic. Metrics and generations are read from a point in time (a week of metrics is far
 * more than a dashboard needs); the model topic only from its last few records, because every version is megabytes
 * of weights and only the newest versions' first chunks are of interest.
 */
public record StartPosition(Kind kind, long value) {

    public enum Kind { BEGINNING, SINCE, LAST_RECORDS }

    public static StartPosition beginning() {
        return new StartPosition(Kind.BEGINNING, 0);
    }

    public static StartPosition since(Instant instant) {
        return new StartPosition(Kind.SINCE, instant.toEpochMilli());
    }

    public static StartPosition lastRecords(int records) {
        if (records < 1) {
            throw new IllegalArgumentException("records must be >= 1");
        }
        return new StartPosition(Kind.LAST_RECORDS, records);
    }

    /** Seeks every partition of an assigned consumer to this position. */
    public void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, Duration timeout) {
        switch (kind) {
            case BEGINNING -> consumer.seekToBeginning(partitions);
            case SINCE -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(tp -> query.put(tp, value));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
                for (TopicPartition tp : partitions) {
                    OffsetAndTimestamp at = found.get(tp);
                    if (at == null) {
                        consumer.seekToEnd(List.of(tp)); // nothing at or after that time
                    } else {
                        consumer.seek(tp, at.offset());
                    }
                }
            }
            case LAST_RECORDS -> {
                Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
                for (TopicPartition tp : partitions) {
                    consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - value));
                }
            }
        }
    }
}
