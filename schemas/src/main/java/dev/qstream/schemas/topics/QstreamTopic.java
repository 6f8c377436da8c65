package dev.qstream.schemas.topics;

import java.util.Map;

/**
 * Every topic of the loop: its default suffix, what it carries and how it is configured.
 * Names are {@code <prefix>.<suffix>}; {@link TopicLayout} applies the prefix and partition counts.
 */
public enum QstreamTopic {
    /** Live traffic in, keyed by promptId. */
    PROMPTS("prompts", Layout.SHARED, retentionDays(7)),
    /** Every step of every episode, keyed by episodeId (one partition per episode keeps steps in order). */
    TRANSITIONS("transitions", Layout.SHARED, retentionDays(7)),
    /** Human feedback keyed by episodeId; co-partitioned with transitions for the scorer's join. */
    FEEDBACK("feedback", Layout.SHARED, retentionDays(7)),
    /** Scorer output, keyed by episodeId; the learner's input. */
    SCORED("scored", Layout.SHARED, retentionDays(7)),
    /** Late human feedback as reward corrections the learner applies. */
    REWARDS_LATE("rewards.late", Layout.SHARED, retentionDays(7)),
    /**
     * Published weights. One partition keeps versions in order; compaction keeps the newest copy of every chunk
     * key; chunks are at most 1 MiB, so 2 MiB messages leave room for the envelope.
     */
    MODEL("model", Layout.SINGLE, Map.of(
            "cleanup.policy", "compact",
            "max.message.bytes", String.valueOf(2 * 1024 * 1024),
            "min.compaction.lag.ms", String.valueOf(60 * 60 * 1000L),
            "segment.bytes", String.valueOf(64 * 1024 * 1024))),
    /**
     * Deployment decisions (champion, challenger, canary share, evidence) keyed by model name. Never compacted nor
     * expired: the whole log is the deployment state and its history (a few records an hour).
     */
    DEPLOYMENTS("deployments", Layout.SINGLE, Map.of("cleanup.policy", "delete", "retention.ms", "-1")),
    /** Metric samples and heartbeats keyed by source; dashboards read the history, so keep a week. */
    METRICS("metrics", Layout.SHARED, retentionDays(7)),
    /** Episode summaries (actor's, then scorer's with scores) for audit and dashboards. */
    GENERATIONS("generations", Layout.SHARED, retentionDays(7)),
    /** Dead letters keyed by source topic; kept long enough for someone to look. */
    DLQ("dlq", Layout.SINGLE, retentionDays(30)),
    /** Writer schemas keyed by fingerprint, kept forever (compacted): how older readers learn newer schemas. */
    SCHEMAS("schemas", Layout.SINGLE, Map.of("cleanup.policy", "compact"));

    /** Whether the topic follows the deployment's partition count or always has one partition. */
    enum Layout { SHARED, SINGLE }

    private final String suffix;
    private final Layout layout;
    private final Map<String, String> configs;

    QstreamTopic(String suffix, Layout layout, Map<String, String> configs) {
        this.suffix = suffix;
        this.layout = layout;
        this.configs = configs;
    }

    public String suffix() {
        return suffix;
    }

    public boolean singlePartition() {
        return layout == Layout.SINGLE;
    }

    /** Topic-level configs applied when the topic is created. */
    public Map<String, String> configs() {
        return configs;
    }

    private static Map<String, String> retentionDays(int days) {
        return Map.of("retention.ms", String.valueOf(days * 24L * 60 * 60 * 1000));
    }
}
