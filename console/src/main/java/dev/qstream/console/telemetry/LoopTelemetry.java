package dev.qstream.console.telemetry;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop's state as the ops tools read it from five topics — metrics, generations, model, dead letters,
 * deployments — kept by
 * one aggregator per topic. The dashboard, {@code status} and {@code report} all fill one of these.
 */
public final class LoopTelemetry {

    /** The topics these aggregators are fed from. */
    public static final List<QstreamTopic> TOPICS = List.of(QstreamTopic.METRICS, QstreamTopic.GENERATIONS,
            QstreamTopic.MODEL, QstreamTopic.DLQ, QstreamTopic.DEPLOYMENTS);

    /** Decisions kept for the ops views (the state needs only the last one). */
    public static final int DEPLOYMENT_EVENTS = 500;

    private final MetricBoard metrics;
    private final GenerationStats generations;
    private final ModelVersionLog models;
    private final DeadLetterLog deadLetters;
    private final DeploymentHistory deployments = new DeploymentHistory(DEPLOYMENT_EVENTS);
    private final Map<String, QstreamTopic> topicsByName = new HashMap<>();

    public LoopTelemetry(KafkaSettings settings, MetricBoard metrics, GenerationStats generations,
                         ModelVersionLog models, DeadLetterLog deadLetters) {
        this.metrics = metrics;
        this.generations = generations;
        this.models = models;
        this.deadLetters = deadLetters;
        TOPICS.forEach(t -> topicsByName.put(settings.topic(t), t));
    }

    /** Sizes for a live view: an hour of 5 s samples, 10 s reward buckets, the newest 50 generations. */
    public static LoopTelemetry live(KafkaSettings settings) {
        return new LoopTelemetry(settings, new MetricBoard(720), new GenerationStats(10_000, 360, 50),
                new ModelVersionLog(2_000), new DeadLetterLog(20));
    }

    public MetricBoard metrics() {
        return metrics;
    }

    public GenerationStats generations() {
        return generations;
    }

    public ModelVersionLog models() {
        return models;
    }

    public DeadLetterLog deadLetters() {
        return deadLetters;
    }

    public DeploymentHistory deployments() {
        return deployments;
    }

    /** Which of the five topics a topic name is, or null. */
    public QstreamTopic topicOf(String name) {
        return topicsByName.get(name);
    }

    /** Feeds a value already decoded from {@code topic}. */
    public void feed(QstreamTopic topic, Object value) {
        switch (topic) {
            case METRICS -> metrics.accept((MetricEvent) value);
            case GENERATIONS -> generations.accept((Episode) value);
            case MODEL -> models.accept((ModelUpdate) value);
            case DLQ -> deadLetters.accept((DeadLetter) value);
            case DEPLOYMENTS -> deployments.accept((DeploymentDecision) value);
            default -> throw new IllegalArgumentException("not a telemetry topic: " + topic);
        }
    }

    /**
     * Decodes and feeds raw bytes without dead-lettering what does not decode: for readers that are not the topic's
     * main consumer (a dead letter is written once, by that consumer). Returns whether the record was used.
     */
    public boolean offerQuietly(QstreamTopic topic, byte[] value) {
        try {
            Object decoded = switch (topic) {
                case METRICS -> Serdes.METRIC_EVENT.decode(value);
                case GENERATIONS -> Serdes.EPISODE.decode(value);
                case MODEL -> Serdes.MODEL_UPDATE.decode(value);
                case DLQ -> Serdes.DEAD_LETTER.decode(value);
                case DEPLOYMENTS -> Serdes.DEPLOYMENT_DECISION.decode(value);
                default -> throw new IllegalArgumentException("not a telemetry topic: " + topic);
            };
            feed(topic, decoded);
            return true;
        } catch (AvroDecodeException | NullPointerException e) {
            return false; // skipped: not this reader's to dead-letter
        }
    }
}
