package dev.qstream.schemas.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The concrete topics of one deployment: a name prefix, a partition count for the shared topics and a
 * replication factor ({@link #AUTO_REPLICATION}: chosen from the cluster's size when the topics are created).
 * Every service derives its topic names from the same layout, so the prefix is the one setting that separates two
 * loops on one cluster.
 */
public record TopicLayout(String prefix, int partitions, short replicationFactor) {

    public static final String DEFAULT_PREFIX = "qstream";
    public static final int DEFAULT_PARTITIONS = 4;
    /** Replication factor "from the cluster size" (1 on one broker, 2 on two, 3 from three), resolved on connecting. */
    public static final short AUTO_REPLICATION = 0;

    public TopicLayout {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("topic prefix must be non-empty and use only [A-Za-z0-9._-]: '" + prefix + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (replicationFactor < 0) {
            throw new IllegalArgumentException("replication factor must be >= 1 (or auto), got " + replicationFactor);
        }
    }

    /** Whether the replication factor is still to be chosen from the cluster's size. */
    public boolean autoReplication() {
        return replicationFactor == AUTO_REPLICATION;
    }

    /** The same layout with a concrete replication factor. */
    public TopicLayout withReplicationFactor(short factor) {
        return new TopicLayout(prefix, partitions, factor);
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
