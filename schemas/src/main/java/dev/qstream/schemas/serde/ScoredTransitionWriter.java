package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import org.apache.avro.io.BinaryEncoder;

import java.io.IOException;

/**
 * {@link ScoredTransition} bodies (with their {@code Transition} and {@code RewardParts}) written field by field in
 * schema order, exactly as the generated {@code customEncode} does, token ids unboxed.
 */
final class ScoredTransitionWriter implements DirectWriter<ScoredTransition> {

    /** Fingerprint of the ScoredTransition schema this writer follows; update both together. */
    static final long SCHEMA_FINGERPRINT = -558291879685735187L; // ScoredTransition.avsc as of Transition v3

    private final TransitionWriter transition = new TransitionWriter();

    @Override
    public long schemaFingerprint() {
        return SCHEMA_FINGERPRINT;
    }

    @Override
    public void write(ScoredTransition s, BinaryEncoder out) throws IOException {
        transition.write(s.getTransition(), out);
        out.writeDouble(s.getReward());
        out.writeDouble(s.getEpisodeReward());
        TransitionWriter.nullableInts(s.getNextValidActions(), out);
        parts(s.getParts(), out);
        out.writeLong(s.getScoredAt());
    }

    /** A RewardParts body, as the generated code writes it. */
    static void parts(RewardParts p, BinaryEncoder out) throws IOException {
        out.writeString(p.getMetricName());
        out.writeDouble(p.getMetric());
        out.writeDouble(p.getBleu());
        TransitionWriter.nullableDouble(p.getHuman(), out);
        out.writeBoolean(p.getHumanDefaulted());
        out.writeDouble(p.getLengthPenalty());
        out.writeDouble(p.getRepetitionPenalty());
        out.writeString(p.getShaping());
    }
}
