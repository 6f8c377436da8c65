package dev.qstream.evaluator.ope;

import java.time.Instant;
import java.util.Optional;

/**
 * Which logged records to read, by record timestamp: from {@code from} (inclusive) up to {@code to} (exclusive); an
 * absent end means the topic's beginning or its end at the time of reading. Kafka finds the offsets
 * ({@code offsetsForTimes}), so the range is as exact as the records' timestamps are ordered within a partition.
 */
public record TimeRange(Optional<Instant> from, Optional<Instant> to) {

    public TimeRange {
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw new IllegalArgumentException("the range is empty: --from " + from.get() + " is not before --to " + to.get());
        }
    }

    /** Everything the topic holds. */
    public static TimeRange everything() {
        return new TimeRange(Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return "[" + from.map(Instant::toString).orElse("beginning") + ", " + to.map(Instant::toString).orElse("end") + ")";
    }
}
