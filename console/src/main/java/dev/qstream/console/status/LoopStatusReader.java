package dev.qstream.console.status;

import dev.qstream.runtime.kafka.ConsumerLagReader;
import dev.qstream.console.telemetry.DeadLetterLog;
import dev.qstream.console.telemetry.GenerationStats;
import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.console.telemetry.LoopHealth;
import dev.qstream.console.telemetry.LoopTelemetry;
import dev.qstream.console.telemetry.MetricBoard;
import dev.qstream.console.telemetry.ModelVersionLog;
import dev.qstream.console.telemetry.StartPosition;
import dev.qstream.console.telemetry.TopicWindowReader;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes one reading of the loop's health: the last {@code window} of metrics, generations and dead letters, the
 * tail of the model topic, and consumer lag. Reads only: it joins no group and writes no dead letters (the topics'
 * own consumers do that).
 */
public final class LoopStatusReader {

    private LoopStatusReader() {
    }

    public static LoopHealth read(KafkaSettings settings, Duration window, Duration timeout) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the status window must be positive");
        }
        long now = System.currentTimeMillis();
        LoopTelemetry telemetry = new LoopTelemetry(settings, new MetricBoard(10_000),
                new GenerationStats(10_000, 10_000, 1), new ModelVersionLog(64), new DeadLetterLog(5));
        StartPosition since = StartPosition.since(Instant.ofEpochMilli(now).minus(window));
        Map<QstreamTopic, StartPosition> starts = new LinkedHashMap<>();
        starts.put(QstreamTopic.METRICS, since);
        starts.put(QstreamTopic.GENERATIONS, since);
        starts.put(QstreamTopic.DLQ, since);
        starts.put(QstreamTopic.MODEL, StartPosition.lastRecords(32));
        starts.put(QstreamTopic.DEPLOYMENTS, StartPosition.lastRecords(20)); // the last decision is the state
        try {
            TopicWindowReader.read(settings, "qstream-status", starts, timeout,
                    (topic, r) -> telemetry.offerQuietly(topic, r.value()));
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer: " + e.getMessage(), e);
        }
        List<GroupLag> lag = List.of();
        String lagError = null;
        try (ConsumerLagReader reader = new ConsumerLagReader(settings, "qstream-status-lag")) {
            lag = reader.read(timeout);
        } catch (IllegalStateException e) {
            lagError = e.getMessage();
        }
        return LoopHealth.from(telemetry, lag, lagError, now, window.toSeconds());
    }
}
