package dev.qstream.runtime.kafka;

import dev.qstream.schemas.topics.TopicLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Security and other client settings reach every client a service builds: from a file, overridden by the environment. */
class KafkaSettingsTest {

    @Test
    void aClientConfigFileAndEnvironmentReachProducersConsumersAndAdmins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                ssl.truststore.location=/etc/qstream/truststore.p12
                ssl.truststore.password=from-file
                """);
        Map<String, String> env = Map.of(
                "QSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", "from-env",
                "QSTREAM_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "PATH", "/usr/bin");
        KafkaSettings settings = KafkaSettings.from("broker-1:9093,broker-2:9093", TopicLayout.defaults(), file, env);
        for (Properties p : new Properties[]{settings.producer("p"), settings.consumer("c", "g"), settings.admin("a"), settings.common("x")}) {
            assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
            assertThat(p.getProperty("ssl.truststore.location")).isEqualTo("/etc/qstream/truststore.p12");
            assertThat(p.getProperty("ssl.truststore.password")).as("the environment wins over the file").isEqualTo("from-env");
            assertThat(p.getProperty("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.scram.ScramLoginModule");
            assertThat(p.getProperty("bootstrap.servers")).isEqualTo("broker-1:9093,broker-2:9093");
            assertThat(p).doesNotContainKey("path");
        }
    }

    @Test
    void producersCompressWithLz4UnlessAnotherCompressionIsChosen() {
        KafkaSettings defaults = KafkaSettings.of("kafka:9092");
        assertThat(defaults.producer("p").getProperty("compression.type")).isEqualTo("lz4");
        assertThat(defaults.compressionType()).isEqualTo("lz4");

        KafkaSettings zstd = defaults.withCompression(Compression.ZSTD);
        assertThat(zstd.producer("p").getProperty("compression.type")).isEqualTo("zstd");
        assertThat(zstd.withOverrides(Map.of("acks", "1")).producer("p").getProperty("compression.type"))
                .as("other overrides keep the choice").isEqualTo("zstd");
        assertThat(zstd.consumer("c", "g")).as("only producers compress").doesNotContainKey("compression.type");
        assertThat(zstd.common("x")).doesNotContainKey("compression.type");
    }

    @Test
    void aCompressionTypeClientSettingWinsOverTheChoiceLikeAnyKafkaProperty() {
        KafkaSettings settings = KafkaSettings.from("kafka:9092", TopicLayout.defaults(), null,
                Map.of("QSTREAM_KAFKA_COMPRESSION_TYPE", "gzip")).withCompression(Compression.SNAPPY);
        assertThat(settings.producer("p").getProperty("compression.type")).isEqualTo("gzip");
        assertThat(settings.compressionType()).isEqualTo("gzip");
    }

    @Test
    void compressionNamesParseCaseInsensitivelyAndAnythingElseNamesTheChoices() {
        for (Compression c : Compression.values()) {
            assertThat(Compression.parse(c.configValue().toUpperCase())).isEqualTo(c);
        }
        assertThat(Compression.parse(" none ")).isEqualTo(Compression.NONE);
        assertThatThrownBy(() -> Compression.parse("brotli"))
                .hasMessage("compression 'brotli' is not one of none, gzip, snappy, lz4, zstd");
        assertThatThrownBy(() -> Compression.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badBootstrapAddressesAndUnreadableFilesAreClearErrors(@TempDir Path dir) {
        assertThatThrownBy(() -> KafkaSettings.of(" ")).hasMessageContaining("bootstrap servers are required");
        assertThatThrownBy(() -> KafkaSettings.of("kafka:9092,kafka")).hasMessageContaining("bootstrap server 'kafka' is not HOST:PORT");
        assertThatThrownBy(() -> KafkaSettings.from("kafka:9092", TopicLayout.defaults(), dir.resolve("nope.properties"), Map.of()))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot read Kafka client config");
    }
}
