package dev.qstream.launcher.options;

import picocli.CommandLine;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Parses a point in time: an ISO-8601 instant ({@code 2026-05-01T00:00:00Z}) or how long ago, as any duration
 * {@link DurationConverter} takes ({@code PT24H}, {@code 24h}, {@code 90m}), counted back from now.
 */
public final class PointInTimeConverter implements CommandLine.ITypeConverter<Instant> {

    private final Clock clock;

    public PointInTimeConverter() {
        this(Clock.systemUTC());
    }

    public PointInTimeConverter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Instant convert(String value) {
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException notAnInstant) {
            try {
                return clock.instant().minus(new DurationConverter().convert(value));
            } catch (CommandLine.TypeConversionException notADuration) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is neither an ISO-8601 instant (2026-05-01T00:00:00Z) nor a duration ago (PT24H, 24h)");
            }
        }
    }
}
