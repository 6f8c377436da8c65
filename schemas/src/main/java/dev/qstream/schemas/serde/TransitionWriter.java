package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryEncoder;

import java.io.IOException;
import java.util.List;

/**
 * {@link Transition} bodies written field by field in schema order, exactly as the generated {@code customEncode}
 * does (the same encoder calls), token ids unboxed. {@code DirectWriterTest} compares the bytes with Avro's.
 */
final class TransitionWriter implements DirectWriter<Transition> {

    /** Fingerprint of the Transition schema this writer follows; update both together. */
    static final long SCHEMA_FINGERPRINT = 2174448496777028285L; // v3: DEMONSTRATION added to ExplorationStrategy

    @Override
    public long schemaFingerprint() {
        return SCHEMA_FINGERPRINT;
    }

    @Override
    public void write(Transition t, BinaryEncoder out) throws IOException {
        out.writeString(t.getEpisodeId());
        out.writeString(t.getPromptId());
        out.writeString(t.getActorId());
        out.writeInt(t.getStep());
        ints(t.getPromptTokens(), out);
        ints(t.getPrefixTokens(), out);
        out.writeInt(t.getAction());
        out.writeString(t.getActionToken());
        nullableInts(t.getValidActions(), out);
        out.writeBoolean(t.getDone());
        nullableEndReason(t.getEndReason(), out);
        out.writeLong(t.getPolicyVersion());
        out.writeDouble(t.getBehaviourProbability());
        out.writeEnum(t.getExploration().ordinal());
        out.writeLong(t.getDecisionMicros());
        out.writeLong(t.getCreatedAt());
    }

    /**
     * The branch of a ["null", T] union: index 0 and the null when {@code value} is null, else index 1; true when
     * the caller must now write the T.
     */
    static boolean present(Object value, BinaryEncoder out) throws IOException {
        if (value == null) {
            out.writeIndex(0);
            out.writeNull();
            return false;
        }
        out.writeIndex(1);
        return true;
    }

    /** A ["null", "EndReason"] union. */
    static void nullableEndReason(EndReason reason, BinaryEncoder out) throws IOException {
        if (present(reason, out)) {
            out.writeEnum(reason.ordinal());
        }
    }

    /** A ["null", "double"] union. */
    static void nullableDouble(Double x, BinaryEncoder out) throws IOException {
        if (present(x, out)) {
            out.writeDouble(x);
        }
    }

    /** A ["null", {"type": "array", "items": "int"}] union. */
    static void nullableInts(List<Integer> ids, BinaryEncoder out) throws IOException {
        if (present(ids, out)) {
            ints(ids, out);
        }
    }

    /** An int array: one block holding every item, then the end marker (what the generated code writes). */
    static void ints(List<Integer> ids, BinaryEncoder out) throws IOException {
        int n = ids.size();
        out.writeArrayStart();
        out.setItemCount(n);
        if (ids instanceof PrimitivesArrays.IntArray a) {
            for (int i = 0; i < n; i++) {
                out.startItem();
                out.writeInt(a.getInt(i));
            }
        } else {
            for (Integer id : ids) {
                out.startItem();
                out.writeInt(id);
            }
        }
        out.writeArrayEnd();
    }
}
