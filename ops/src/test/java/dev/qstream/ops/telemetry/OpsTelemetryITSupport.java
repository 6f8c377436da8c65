package dev.qstream.ops.telemetry;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.topics.TopicLayout;

import java.time.Duration;
import java.util.Map;

/** Topic set-up shared by the ops integration tests. */
public final class OpsTelemetryITSupport {

    private OpsTelemetryITSupport() {
    }

    /** Creates the loop's topics under {@code prefix} (2 partitions) and waits until the broker leads them all. */
    public static KafkaSettings topics(String bootstrap, String prefix) {
        KafkaSettings settings = new KafkaSettings(bootstrap, new TopicLayout(prefix, 2, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        OpsTelemetryIT.awaitLeaders(settings);
        return settings;
    }
}
