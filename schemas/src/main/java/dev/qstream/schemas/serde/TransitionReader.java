package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.util.Utf8;

import java.io.IOException;
import java.util.List;

/**
 * {@link Transition} bodies read field by field in schema order (see {@code Transition.avsc}), token lists into
 * int-backed arrays ({@link PrimitivesArrays.IntArray}: no boxing while decoding). 1.3–1.6× Avro's own decode of
 * the same bytes (docs/BENCHMARKS.md); {@code TransitionReaderTest} checks it against Avro's reader.
 */
final class TransitionReader implements DirectReader<Transition> {

    /** Fingerprint of the Transition schema this reader follows; update both together. */
    static final long SCHEMA_FINGERPRINT = 2174448496777028285L; // v3: DEMONSTRATION added to ExplorationStrategy

    private static final Schema INT_ARRAY = Schema.createArray(Schema.create(Schema.Type.INT));
    private static final EndReason[] END_REASONS = EndReason.values();
    private static final ExplorationStrategy[] STRATEGIES = ExplorationStrategy.values();

    @Override
    public long schemaFingerprint() {
        return SCHEMA_FINGERPRINT;
    }

    @Override
    public Transition read(BinaryDecoder in, Utf8 utf8) throws IOException {
        // Strings go through the caller's Utf8: Avro's readString() allocates a fresh Utf8 and array per string.
        Transition t = new Transition();
        t.setEpisodeId(string(in, utf8));
        t.setPromptId(string(in, utf8));
        t.setActorId(string(in, utf8));
        t.setStep(in.readInt());
        t.setPromptTokens(ints(in));
        t.setPrefixTokens(ints(in));
        t.setAction(in.readInt());
        t.setActionToken(string(in, utf8));
        t.setValidActions(nullable(in, "validActions") ? ints(in) : null);
        t.setDone(in.readBoolean());
        t.setEndReason(nullable(in, "endReason") ? END_REASONS[in.readEnum()] : null);
        t.setPolicyVersion(in.readLong());
        t.setBehaviourProbability(in.readDouble());
        t.setExploration(STRATEGIES[in.readEnum()]);
        t.setDecisionMicros(in.readLong());
        t.setCreatedAt(in.readLong());
        return t;
    }

    private static String string(BinaryDecoder in, Utf8 utf8) throws IOException {
        return in.readString(utf8).toString();
    }

    /** A ["null", T] union's branch: false for null, true for T; any other index is malformed input. */
    private static boolean nullable(BinaryDecoder in, String field) throws IOException {
        int index = in.readIndex();
        if (index == 0) {
            in.readNull();
            return false;
        }
        if (index == 1) {
            return true;
        }
        throw new AvroRuntimeException("union index " + index + " out of range for " + field);
    }

    private static List<Integer> ints(BinaryDecoder in) throws IOException {
        long n = in.readArrayStart();
        // The count comes from the input: never size a buffer by it (each element takes at least one byte anyway).
        PrimitivesArrays.IntArray out = new PrimitivesArrays.IntArray((int) Math.min(Math.max(n, 0), 256), INT_ARRAY);
        for (; n > 0; n = in.arrayNext()) {
            for (long k = 0; k < n; k++) {
                out.add(out.size(), in.readInt());
            }
        }
        return out;
    }
}
