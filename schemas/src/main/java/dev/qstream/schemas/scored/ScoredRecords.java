package dev.qstream.schemas.scored;

import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;

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
     * The scored steps the value holds: every step of an episode, or the one step of an older record.
     *
     * @throws AvroDecodeException when it is neither
     */
    public static List<ScoredTransition> steps(byte[] value) {
        return isSingleStep(value) ? List.of(Serdes.SCORED_TRANSITION.decode(value))
                : ScoredEpisodeSteps.expand(Serdes.SCORED_EPISODE.decode(value));
    }
}
