package dev.qstream.scorer.stream;

import dev.qstream.runtime.kafka.Compression;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The scorer's Streams producer compresses like every other qstream producer (it does not go through KafkaSettings.producer). */
class ScorerClientPropertiesTest {

    private static Properties streamsProperties(KafkaSettings kafka) {
        return ScorerService.streamsClientProperties(kafka, "scorer-streams", "scorer-1",
                ScorerConfig.defaults(kafka.layout(), Path.of("scorer-state")));
    }

    /** What the Streams producer ends up with: the producer-prefixed value wins over an unprefixed one. */
    private static Object producerCompression(Properties props) {
        return new StreamsConfig(props).getProducerConfigs("scorer-streams-producer").get("compression.type");
    }

    @Test
    void theStreamsProducerUsesTheChosenCompression() {
        KafkaSettings kafka = KafkaSettings.of("kafka:9092");
        assertThat(producerCompression(streamsProperties(kafka))).isEqualTo("lz4");
        assertThat(producerCompression(streamsProperties(kafka.withCompression(Compression.GZIP)))).isEqualTo("gzip");
        assertThat(producerCompression(streamsProperties(kafka.withCompression(Compression.NONE)))).isEqualTo("none");
    }

    @Test
    void aCompressionTypeClientSettingStillWins() {
        KafkaSettings kafka = new KafkaSettings("kafka:9092", TopicLayout.defaults(), Map.of("compression.type", "zstd"),
                Compression.LZ4);
        assertThat(producerCompression(streamsProperties(kafka))).isEqualTo("zstd");
    }
}
