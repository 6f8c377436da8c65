package dev.qstream.schemas.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The concrete topics of one deployment: a name prefix, a partition count for the shared topics and a
 * replication factor. Every service derives its topic names from the same layout, so the prefix is the one
 * setting that separates two loops on one cluster.
 */
public record TopicLayout(String prefix, int partitions, short replicationFactor) {

    public static final String DEFAULT_PREFIX = "qstream";
    public static final int DEFAULT_PARTITIONS = 4;

    public TopicLayout {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("topic prefix must be non-empty and use only [A-Za-z0-9._-]: '" + prefix + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1, got " + replicationFactor);
        }
    }

    public static TopicLayout defaults() {
        return new TopicLayout(DEFAULT_PREFIX, DEFAULT_PARTITIONS, (short) 1);
    }

    public String name(QstreamTopic topic) {
        return prefix + "." + topic.suffix();
    }

    public int partitions(QstreamTopic topic) {
        return topic.singlePartition() ? 1 : partitions;
    }

    /** One line per topic, for {@code ./qstream topics}. */
    public List<TopicSpec> specs() {
        List<TopicSpec> specs = new ArrayList<>();
        for (QstreamTopic topic : QstreamTopic.values()) {
            specs.add(new TopicSpec(topic, name(topic), partitions(topic), replicationFactor, topic.configs()));
        }
        return specs;
    }

    /** A topic as it should exist on the cluster. */
    public record TopicSpec(QstreamTopic topic, String name, int partitions, short replicationFactor,
                            Map<String, String> configs) {
    }
}
