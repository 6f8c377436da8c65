package dev.qstream.launcher.options;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PointInTimeConverterTest {

    private static final Instant NOW = Instant.parse("2026-05-02T12:00:00Z");
    private final PointInTimeConverter converter = new PointInTimeConverter(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void anInstantIsTakenAsWrittenAndADurationCountsBackFromNow() {
        assertThat(converter.convert("2026-05-01T00:00:00Z")).isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));
        assertThat(converter.convert("2026-05-01T02:00:00+02:00")).isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));
        assertThat(converter.convert("PT1H")).isEqualTo(Instant.parse("2026-05-02T11:00:00Z"));
        assertThat(converter.convert("90m")).isEqualTo(Instant.parse("2026-05-02T10:30:00Z"));
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> converter.convert("yesterday")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("neither an ISO-8601 instant").hasMessageContaining("PT24H");
    }
}
