package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.io.BinaryEncoder;

import java.io.IOException;

/**
 * Writes one record body straight to a {@link BinaryEncoder}, the same bytes as Avro's generated
 * {@code customEncode}, without boxing each token id: the generated code walks int-backed arrays with a boxing
 * iterator, which was a third of encoding a {@link ScoredTransition} (the scorer's output, ~80 token ids each).
 * Like {@link DirectReader}, each implementation declares the fingerprint of the schema it writes, so that a schema
 * change makes it unused, never wrong (and a test fails until it is updated).
 */
interface DirectWriter<T> {

    /** CRC-64-AVRO fingerprint of the schema this writer was written for. */
    long schemaFingerprint();

    void write(T record, BinaryEncoder out) throws IOException;

    /** The direct writer for a generated type, if there is one whose schema still matches. */
    @SuppressWarnings("unchecked")
    static <T> DirectWriter<T> forType(Class<T> type, long currentFingerprint) {
        DirectWriter<?> writer = type == Transition.class ? new TransitionWriter()
                : type == ScoredTransition.class ? new ScoredTransitionWriter()
                : type == ScoredEpisode.class ? new ScoredEpisodeWriter()
                : type == Episode.class ? new EpisodeWriter() : null;
        return writer != null && writer.schemaFingerprint() == currentFingerprint ? (DirectWriter<T>) writer : null;
    }
}
