package dev.qstream.policy.network;

import dev.qstream.policy.state.EncoderSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The weight format on {@code qstream.model} and in checkpoints: a fixed little-endian header, then the raw float32
 * arrays w1, b1, w2, b2 (see {@link QNetworkWeights} for their layout). No Java serialisation: a reader in any
 * language can parse it, and reading 10 MB is a bulk copy (~1 ms), not an object graph.
 *
 * <pre>
 * offset size  field
 * 0      4     magic "QSTW"
 * 4      4     format version (2)
 * 8      8     model version
 * 16     8     parent version (-1 = none)
 * 24     4     inputs
 * 28     4     hidden
 * 32     4     actions
 * 36     24    encoder spec: prompt, last, previous, position, generated, open-copy buckets
 * 60     32    vocabulary fingerprint (SHA-256)
 * 92     ...   float32 w1[inputs*hidden], b1[hidden], w2[actions*hidden], b2[actions]
 * </pre>
 *
 * Version 1 (written before the open-copies group existed) is still read: its encoder spec has five groups (20
 * bytes), so its fingerprint starts at 56 and its floats at 88; it decodes as a spec with no open-copy buckets.
 */
public final class WeightFormat {

    public static final String NAME = "qstream-f32-v1";
    public static final int HEADER_BYTES = 92;
    private static final int V1_HEADER_BYTES = 88;
    private static final int MAGIC = 0x57545351; // "QSTW" read little-endian
    private static final int FORMAT_VERSION = 2;
    /** Guard against absurd headers before allocating: 64 M floats = 256 MB. */
    private static final long MAX_PARAMETERS = 64L * 1024 * 1024;

    private WeightFormat() {
    }

    public static byte[] encode(ModelSnapshot model) {
        QNetworkWeights w = model.weights();
        QNetworkSpec spec = w.spec();
        long bytes = HEADER_BYTES + 4L * spec.parameterCount();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model too large for one blob: " + bytes + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(model.version()).putLong(model.parentVersion());
        buf.putInt(spec.inputs()).putInt(spec.hidden()).putInt(spec.actions());
        EncoderSpec e = spec.encoder();
        buf.putInt(e.promptBuckets()).putInt(e.lastBuckets()).putInt(e.previousBuckets()).putInt(e.positionBuckets())
                .putInt(e.generatedBuckets()).putInt(e.openCopyBuckets());
        buf.put(HexFormat.of().parseHex(model.vocabularyFingerprint()));
        FloatBuffer floats = buf.slice(HEADER_BYTES, buf.capacity() - HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        floats.put(w.w1()).put(w.b1()).put(w.w2()).put(w.b2());
        return buf.array();
    }

    /**
     * Parses and checks a blob: magic, format version, sizes consistent with the length, every weight finite.
     *
     * @throws InvalidWeightsException with the reason when any check fails
     */
    public static ModelSnapshot decode(byte[] blob) {
        if (blob == null) {
            throw new InvalidWeightsException("weight blob is shorter than its " + V1_HEADER_BYTES + "-byte header");
        }
        return decode(List.of(ByteBuffer.wrap(blob)));
    }

    /**
     * As {@link #decode(byte[])}, for a blob that arrived in parts (the model topic's chunks, in order): the weights
     * are read straight out of the parts, with no whole-blob copy in between.
     *
     * @throws InvalidWeightsException with the reason when any check fails
     */
    public static ModelSnapshot decode(List<ByteBuffer> parts) {
        ChunkedInput in = new ChunkedInput(parts);
        long length = in.length();
        if (length < V1_HEADER_BYTES) {
            throw new InvalidWeightsException("weight blob is shorter than its " + V1_HEADER_BYTES + "-byte header");
        }
        if (in.getInt() != MAGIC) {
            throw new InvalidWeightsException("not a qstream weight blob (bad magic)");
        }
        int format = in.getInt();
        if (format != FORMAT_VERSION && format != 1) {
            throw new InvalidWeightsException("unsupported weight format version " + format);
        }
        int headerBytes = format == 1 ? V1_HEADER_BYTES : HEADER_BYTES;
        if (length < headerBytes) {
            throw new InvalidWeightsException("weight blob is shorter than its " + headerBytes + "-byte header");
        }
        long version = in.getLong();
        long parent = in.getLong();
        int inputs = in.getInt();
        int hidden = in.getInt();
        int actions = in.getInt();
        int[] groups = {in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(), format == 1 ? 0 : in.getInt()};
        byte[] fingerprint = new byte[32];
        in.get(fingerprint);
        EncoderSpec encoder;
        QNetworkSpec spec;
        try {
            encoder = new EncoderSpec(groups[0], groups[1], groups[2], groups[3], groups[4], groups[5]);
            spec = new QNetworkSpec(encoder, hidden, actions);
        } catch (IllegalArgumentException e) {
            throw new InvalidWeightsException("bad shape in header: " + e.getMessage());
        }
        if (encoder.size() != inputs) {
            throw new InvalidWeightsException("header says " + inputs + " inputs but the encoder spec sums to " + encoder.size());
        }
        if (spec.parameterCount() > MAX_PARAMETERS) {
            throw new InvalidWeightsException("header claims " + spec.parameterCount() + " parameters, over the limit");
        }
        long expected = headerBytes + 4L * spec.parameterCount();
        if (length != expected) {
            throw new InvalidWeightsException("blob has " + length + " bytes, its header implies " + expected);
        }
        float[] w1 = new float[inputs * hidden];
        float[] b1 = new float[hidden];
        float[] w2 = new float[actions * hidden];
        float[] b2 = new float[actions];
        in.getFloats(w1);
        in.getFloats(b1);
        in.getFloats(w2);
        in.getFloats(b2);
        QNetworkWeights weights = new QNetworkWeights(spec, w1, b1, w2, b2);
        long bad = weights.firstNonFinite();
        if (bad >= 0) {
            throw new InvalidWeightsException("weight " + bad + " is not finite (NaN or infinite)");
        }
        return new ModelSnapshot(version, parent, HexFormat.of().formatHex(fingerprint), weights);
    }

    public static String sha256Hex(byte[] blob) {
        return HexFormat.of().formatHex(sha256().digest(blob));
    }

    /** A fresh SHA-256 digest, for hashing a blob in parts. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
