package dev.qstream.runtime.kafka;

import java.util.Map;

/**
 * How far one consumer group is behind: per topic and in total, in records (the latest committed-readable offset
 * minus the group's committed offset, over the partitions it has committed).
 */
public record GroupLag(String group, long totalLag, Map<String, Long> lagByTopic, int partitions) {
}
