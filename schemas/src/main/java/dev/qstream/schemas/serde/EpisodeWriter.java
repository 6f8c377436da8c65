package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeScores;
import org.apache.avro.io.BinaryEncoder;

import java.io.IOException;

/**
 * {@link Episode} summaries written field by field in schema order, the same bytes as Avro's writer: the scorer
 * writes one per episode next to its {@code ScoredEpisode}. The record has logical types (a uuid, a timestamp), so
 * Avro writes it through its generic path, converting each one on the way; here the uuid is its
 * {@link java.util.UUID#toString()} and the timestamp its epoch milliseconds, as Avro's conversions make them.
 */
final class EpisodeWriter implements DirectWriter<Episode> {

    /** Fingerprint of the Episode schema this writer follows; update both together. */
    static final long SCHEMA_FINGERPRINT = -8606254261252783601L; // v-current: keptForTraining is its last field

    @Override
    public long schemaFingerprint() {
        return SCHEMA_FINGERPRINT;
    }

    @Override
    public void write(Episode e, BinaryEncoder out) throws IOException {
        out.writeString(e.getEpisodeId().toString());
        out.writeString(e.getPromptId());
        out.writeString(e.getActorId());
        out.writeString(e.getPrompt());
        out.writeString(e.getText());
        out.writeInt(e.getTokenCount());
        out.writeLong(e.getPolicyVersion());
        out.writeEnum(e.getExploration().ordinal());
        out.writeEnum(e.getEndReason().ordinal());
        EpisodeScores s = e.getScores();
        if (TransitionWriter.present(s, out)) {
            out.writeDouble(s.getRougeL());
            out.writeDouble(s.getRouge1());
            out.writeDouble(s.getRouge2());
            out.writeDouble(s.getBleu());
            TransitionWriter.nullableDouble(s.getHuman(), out);
            out.writeDouble(s.getReward());
        }
        out.writeLong(e.getCreatedAt().toEpochMilli());
        out.writeBoolean(e.getKeptForTraining());
    }
}
