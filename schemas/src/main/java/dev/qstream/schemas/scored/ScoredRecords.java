package dev.qstream.schemas.scored;

import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;

import org.apache.avro.specific.SpecificRecordBase;

import java.util.List;

/**
 * Reads a {@code qstream.scored} value of either record it has carried: a {@code ScoredEpisode} (the scorer's
 * record since issue #15) or a single {@link ScoredTransition} (written by a scorer from before, which a reader
 * still meets during a rolling upgrade or on a topic's retained history). The header's fingerprint says which.
 */
public final class ScoredRecords {

    private ScoredRecords() {
    }

    /** Whether the value is one step in the older per-step record rather than a whole episode. */
    public static boolean isSingleStep(byte[] value) {
        return Serdes.SCORED_TRANSITION.writtenAs(value);
    }

    /**
     * The value decoded as the record its header names: a {@link ScoredEpisode} or a {@link ScoredTransition}.
     *
     * @throws AvroDecodeException when it is neither
     */
    public static SpecificRecordBase decode(byte[] value) {
        return isSingleStep(value) ? Serdes.SCORED_TRANSITION.decode(value) : Serdes.SCORED_EPISODE.decode(value);
    }

    /** The scored steps a decoded record holds: every step of an episode, or the one step of an older record. */
    public static List<ScoredTransition> steps(SpecificRecordBase record) {
        return record instanceof ScoredEpisode e ? ScoredEpisodeSteps.expand(e) : List.of((ScoredTransition) record);
    }

    /**
     * The scored steps the value holds.
     *
     * @throws AvroDecodeException when it is neither record
     */
    public static List<ScoredTransition> steps(byte[] value) {
        return steps(decode(value));
    }
}
