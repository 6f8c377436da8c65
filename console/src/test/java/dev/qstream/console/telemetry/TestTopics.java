package dev.qstream.console.telemetry;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Topic set-up shared by the console's and the launcher's integration tests (through this module's test jar). */
public final class TestTopics {

    private TestTopics() {
    }

    /** Creates the loop's topics under {@code prefix} (2 partitions) and waits until the broker leads them all. */
    public static KafkaSettings create(String bootstrap, String prefix) {
        KafkaSettings settings = new KafkaSettings(bootstrap, new TopicLayout(prefix, 2, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        awaitLeaders(settings);
        return settings;
    }

    /** Returns once every partition of the layout answers an end-offset query (its leader is elected). */
    public static void awaitLeaders(KafkaSettings settings) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("leader-probe", null))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (var spec : settings.layout().specs()) {
                for (int p = 0; p < spec.partitions(); p++) {
                    partitions.add(new TopicPartition(spec.name(), p));
                }
            }
            consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }
}
