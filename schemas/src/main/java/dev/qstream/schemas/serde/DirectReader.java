package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.Transition;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.util.Utf8;

import java.io.IOException;

/**
 * Reads one record body straight off a {@link BinaryDecoder}, for a writer schema identical to the reader's. Avro's
 * own path (generated {@code customDecode}) goes through a {@code ResolvingDecoder} even then, and boxes every array
 * element; on the hottest topic that is most of the decode time. Hand-written, so each implementation declares the
 * fingerprint of the exact schema it reads, and {@link AvroSerde} uses it only while the generated class still has
 * that schema: a schema change can make it unused, never wrong (and a test fails until it is updated).
 */
interface DirectReader<T> {

    /** CRC-64-AVRO fingerprint of the schema this reader was written for. */
    long schemaFingerprint();

    /** Reads one body; {@code strings} is the calling thread's scratch for string bytes (a string's value is copied out). */
    T read(BinaryDecoder in, Utf8 strings) throws IOException;

    /** The direct reader for a generated type, if there is one whose schema still matches. */
    @SuppressWarnings("unchecked")
    static <T> DirectReader<T> forType(Class<T> type, long currentFingerprint) {
        DirectReader<?> reader = type == Transition.class ? new TransitionReader() : null;
        return reader != null && reader.schemaFingerprint() == currentFingerprint ? (DirectReader<T>) reader : null;
    }
}
