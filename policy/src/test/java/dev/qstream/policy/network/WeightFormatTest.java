package dev.qstream.policy.network;

import dev.qstream.policy.state.EncoderSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightFormatTest {

    static final String FP = "ab".repeat(32);
    static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(3, 2, 2, 2, 1), 4, 5);

    static QNetworkWeights random(QNetworkSpec spec, long seed) {
        Random r = new Random(seed);
        float[][] arrays = {new float[spec.inputs() * spec.hidden()], new float[spec.hidden()],
                new float[spec.actions() * spec.hidden()], new float[spec.actions()]};
        for (float[] a : arrays) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
            }
        }
        return new QNetworkWeights(spec, arrays[0], arrays[1], arrays[2], arrays[3]);
    }

    @Test
    void roundTripIsBitExact() {
        QNetworkWeights w = random(SPEC, 1);
        byte[] blob = WeightFormat.encode(new ModelSnapshot(7, 6, FP, w));
        assertThat(blob).hasSize(WeightFormat.HEADER_BYTES + 4 * (int) SPEC.parameterCount());
        ModelSnapshot back = WeightFormat.decode(blob);
        assertThat(back.version()).isEqualTo(7);
        assertThat(back.parentVersion()).isEqualTo(6);
        assertThat(back.vocabularyFingerprint()).isEqualTo(FP);
        assertThat(back.spec()).isEqualTo(SPEC);
        assertThat(back.weights().w1()).isEqualTo(w.w1());
        assertThat(back.weights().b1()).isEqualTo(w.b1());
        assertThat(back.weights().w2()).isEqualTo(w.w2());
        assertThat(back.weights().b2()).isEqualTo(w.b2());
    }

    @Test
    void aBlobInPartsDecodesAsTheWholeBlobWhereverItIsCut() {
        QNetworkWeights w = random(SPEC, 3);
        byte[] blob = WeightFormat.encode(new ModelSnapshot(9, 8, FP, w));
        // Cuts inside the header's ints and longs and inside floats (sizes not multiples of 4), one-byte parts,
        // empty parts, and the header alone.
        for (int size : new int[]{1, 3, 5, 7, 13, 91, 92, 93, 4096}) {
            List<ByteBuffer> parts = new ArrayList<>();
            for (int at = 0; at < blob.length; at += size) {
                parts.add(ByteBuffer.wrap(blob, at, Math.min(size, blob.length - at)).slice());
                if (at == 0) {
                    parts.add(ByteBuffer.allocate(0));
                }
            }
            ModelSnapshot back = WeightFormat.decode(parts);
            assertThat(back.version()).as("parts of %d bytes", size).isEqualTo(9);
            assertThat(back.vocabularyFingerprint()).isEqualTo(FP);
            assertThat(back.weights().w1()).isEqualTo(w.w1());
            assertThat(back.weights().b1()).isEqualTo(w.b1());
            assertThat(back.weights().w2()).isEqualTo(w.w2());
            assertThat(back.weights().b2()).isEqualTo(w.b2());
        }
        // Reading leaves the parts as they were: the same list decodes twice.
        List<ByteBuffer> once = List.of(ByteBuffer.wrap(blob, 0, 50).slice(), ByteBuffer.wrap(blob, 50, blob.length - 50).slice());
        WeightFormat.decode(once);
        assertThat(WeightFormat.decode(once).weights().w2()).isEqualTo(w.w2());
        // Parts that are short of the header's sizes are refused like a short blob.
        List<ByteBuffer> cut = List.of(ByteBuffer.wrap(blob, 0, 50).slice(), ByteBuffer.wrap(blob, 50, blob.length - 54).slice());
        assertThatThrownBy(() -> WeightFormat.decode(cut)).isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("header implies");
    }

    @Test
    void rejectsTruncatedBadMagicWrongLengthAndNonFiniteWeights() {
        byte[] blob = WeightFormat.encode(new ModelSnapshot(1, 0, FP, random(SPEC, 2)));
        assertThatThrownBy(() -> WeightFormat.decode(new byte[10])).isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("header");
        byte[] badMagic = blob.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> WeightFormat.decode(badMagic)).hasMessageContaining("magic");
        byte[] shorter = Arrays.copyOf(blob, blob.length - 4);
        assertThatThrownBy(() -> WeightFormat.decode(shorter)).hasMessageContaining("header implies");
        byte[] nan = blob.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(WeightFormat.HEADER_BYTES + 8, Float.NaN);
        assertThatThrownBy(() -> WeightFormat.decode(nan)).hasMessageContaining("weight 2 is not finite");
        byte[] inconsistent = blob.clone();
        ByteBuffer.wrap(inconsistent).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 11);
        assertThatThrownBy(() -> WeightFormat.decode(inconsistent)).hasMessageContaining("encoder spec sums");
    }

    @Test
    void theOpenCopiesGroupTravelsInTheHeaderAndAVersionOneBlobStillReadsAsASpecWithoutIt() {
        QNetworkSpec withCopies = new QNetworkSpec(new EncoderSpec(3, 2, 2, 2, 1, 4), 4, 5);
        QNetworkWeights w = random(withCopies, 3);
        assertThat(WeightFormat.decode(WeightFormat.encode(new ModelSnapshot(2, 1, FP, w))).spec()).isEqualTo(withCopies);

        // A blob as format 1 wrote it: five encoder groups, an 88-byte header.
        byte[] v2 = WeightFormat.encode(new ModelSnapshot(7, 6, FP, random(SPEC, 1)));
        ByteBuffer v1 = ByteBuffer.allocate(v2.length - 4).order(ByteOrder.LITTLE_ENDIAN);
        v1.put(v2, 0, 56).put(v2, 60, v2.length - 60);
        v1.putInt(4, 1);
        ModelSnapshot back = WeightFormat.decode(v1.array());
        assertThat(back.spec()).isEqualTo(SPEC);
        assertThat(back.spec().encoder().openCopyBuckets()).isZero();
        assertThat(back.vocabularyFingerprint()).isEqualTo(FP);
        assertThat(back.weights().b2()).isEqualTo(WeightFormat.decode(v2).weights().b2());

        byte[] v3 = v2.clone();
        ByteBuffer.wrap(v3).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 3);
        assertThatThrownBy(() -> WeightFormat.decode(v3)).hasMessageContaining("unsupported weight format version 3");
    }
}
