package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredStep;
import org.apache.avro.io.BinaryEncoder;

import java.io.IOException;
import java.util.List;

/**
 * {@link ScoredEpisode} bodies (with their {@code ScoredStep}s and {@code RewardParts}) written field by field in
 * schema order, exactly as the generated {@code customEncode} does, token ids unboxed: the scorer writes one per
 * episode, with every step's mask in it.
 */
final class ScoredEpisodeWriter implements DirectWriter<ScoredEpisode> {

    /** Fingerprint of the ScoredEpisode schema this writer follows; update both together. */
    static final long SCHEMA_FINGERPRINT = 0x38fa21d10f447d00L; // v1

    @Override
    public long schemaFingerprint() {
        return SCHEMA_FINGERPRINT;
    }

    @Override
    public void write(ScoredEpisode e, BinaryEncoder out) throws IOException {
        out.writeString(e.getEpisodeId());
        out.writeString(e.getPromptId());
        out.writeString(e.getActorId());
        TransitionWriter.ints(e.getPromptTokens(), out);
        List<ScoredStep> steps = e.getSteps();
        int n = steps.size();
        out.writeArrayStart();
        out.setItemCount(n);
        for (int i = 0; i < n; i++) {
            out.startItem();
            step(steps.get(i), out);
        }
        out.writeArrayEnd();
        TransitionWriter.nullableEndReason(e.getEndReason(), out);
        out.writeDouble(e.getEpisodeReward());
        ScoredTransitionWriter.parts(e.getParts(), out);
        out.writeLong(e.getScoredAt());
    }

    private static void step(ScoredStep s, BinaryEncoder out) throws IOException {
        out.writeInt(s.getAction());
        out.writeString(s.getActionToken());
        TransitionWriter.nullableInts(s.getValidActions(), out);
        out.writeDouble(s.getReward());
        out.writeLong(s.getPolicyVersion());
        out.writeDouble(s.getBehaviourProbability());
        out.writeEnum(s.getExploration().ordinal());
        out.writeLong(s.getDecisionMicros());
        out.writeLong(s.getCreatedAt());
    }
}
