package dev.qstream.console.telemetry;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeScores;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.MetricKind;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Records as the services write them, for the ops tests. */
public final class TelemetryFixtures {

    private TelemetryFixtures() {
    }

    public static MetricEvent metric(String source, String instance, String name, MetricKind kind, double value,
                                     long atMillis, String... tags) {
        Map<String, String> t = new HashMap<>();
        t.put("service", source);
        t.put("instance", instance);
        for (int i = 0; i < tags.length; i += 2) {
            t.put(tags[i], tags[i + 1]);
        }
        return MetricEvent.newBuilder().setSource(source).setInstanceId(instance).setName(name).setKind(kind)
                .setValue(value).setTags(t).setTimestamp(Instant.ofEpochMilli(atMillis)).build();
    }

    public static MetricEvent heartbeat(String source, String instance, long atMillis, long intervalMillis) {
        return metric(source, instance, "heartbeat", MetricKind.HEARTBEAT, intervalMillis, atMillis,
                "intervalMs", String.valueOf(intervalMillis));
    }

    /** An episode summary; scored when {@code reward} is not null. */
    public static Episode episode(UUID id, long version, Double reward, long atMillis) {
        return Episode.newBuilder()
                .setEpisodeId(id)
                .setPromptId("p-" + id.toString().substring(0, 8))
                .setActorId("actor-1")
                .setPrompt("name: Alba | food: pizza")
                .setText("alba serves pizza")
                .setTokenCount(4)
                .setPolicyVersion(version)
                .setExploration(ExplorationStrategy.EPSILON_GREEDY)
                .setEndReason(EndReason.END_OF_SEQUENCE)
                .setScores(reward == null ? null : EpisodeScores.newBuilder().setRougeL(reward).setReward(reward).build())
                .setCreatedAt(Instant.ofEpochMilli(atMillis))
                .build();
    }
}
