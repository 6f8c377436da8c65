package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The sparse first layer against the dense products it replaces, pass by pass. */
class HiddenLayerTest {

    private static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(40, 20, 20, 10, 10), 24, 5); // 100 inputs
    private static final int B = 12;

    /** Ascending inputs (~8 of 100), values 1 but one; next states share most inputs with their states. */
    private static SparseRows[] statesAndNext(Random r) {
        SparseRows states = new SparseRows(B, SPEC.inputs());
        SparseRows next = new SparseRows(B, SPEC.inputs());
        for (int i = 0; i < B; i++) {
            int[] idx = r.ints(8, 0, SPEC.inputs()).distinct().sorted().toArray();
            int[] nextIdx = i % 4 == 3
                    ? r.ints(8, 0, SPEC.inputs()).distinct().sorted().toArray()
                    : IntStream.concat(Arrays.stream(idx).skip(1), r.ints(1 + r.nextInt(2), 0, SPEC.inputs()))
                            .distinct().sorted().toArray();
            states.add(idx, values(idx.length, r), idx.length);
            next.add(nextIdx, values(nextIdx.length, r), nextIdx.length);
        }
        return new SparseRows[]{states, next};
    }

    private static float[] values(int n, Random r) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        v[r.nextInt(n)] = (float) r.nextGaussian();
        return v;
    }

    private static Parameters parameters(long seed) {
        Parameters p = Parameters.of(QNetworkFactory.initialWeights(SPEC, seed));
        Random r = new Random(seed);
        for (int j = 0; j < p.b1.length; j++) {
            p.b1[j] = (float) (0.1 * r.nextGaussian()); // some units off, some on
        }
        return p;
    }

    @Test
    void summingTheActiveRowsGivesTheDenseProductsHiddenLayerAndPreActivations() {
        SparseRows x = statesAndNext(new Random(1))[0];
        Parameters p = parameters(3);
        HiddenLayer layer = new HiddenLayer(SPEC, B);
        assertThat(layer.sumsRows(x, true)).isTrue();
        float[] pre = new float[B * SPEC.hidden()];
        float[] out = new float[B * SPEC.hidden()];
        float[] densePre = new float[B * SPEC.hidden()];
        float[] denseOut = new float[B * SPEC.hidden()];
        layer.forward(x, p, pre, out, true);
        layer.forward(x, p, densePre, denseOut, false);
        assertClose(pre, densePre);
        assertClose(out, denseOut);
        assertThat(IntStream.range(0, out.length).filter(k -> out[k] == 0f).count()).isPositive(); // the ReLU acted
    }

    @Test
    void aNextStateFromItsStatesPreActivationEqualsItsOwnSum() {
        SparseRows[] rows = statesAndNext(new Random(2));
        Parameters p = parameters(4);
        HiddenLayer layer = new HiddenLayer(SPEC, B);
        float[] pre = new float[B * SPEC.hidden()];
        layer.forward(rows[0], p, pre, new float[B * SPEC.hidden()], true);
        float[] fromStates = new float[B * SPEC.hidden()];
        float[] ownSums = new float[B * SPEC.hidden()];
        layer.forwardFrom(rows[0], pre, rows[1], p, fromStates, true);
        layer.forward(rows[1], p, null, ownSums, true);
        assertClose(fromStates, ownSums);
    }

    @Test
    void theGradientLivesOnTheActiveInputsRowsAndEqualsTheDenseProduct() {
        Random r = new Random(5);
        HiddenLayer layer = new HiddenLayer(SPEC, B);
        Gradients sparse = new Gradients(SPEC, B, false);
        Gradients dense = new Gradients(SPEC, B, false);
        for (int pass = 0; pass < 2; pass++) { // the second pass must clear the rows the first one wrote
            SparseRows x = statesAndNext(r)[0];
            for (int k = 0; k < sparse.dHidden.length; k++) {
                sparse.dHidden[k] = dense.dHidden[k] = (float) r.nextGaussian();
            }
            layer.backward(x, sparse, true);
            layer.backward(x, dense, false);
            assertClose(sparse.w1, dense.w1);
            BitSet active = new BitSet();
            for (int k = 0; k < x.nonZeros(); k++) {
                active.set(x.indices[k]);
            }
            BitSet listed = new BitSet();
            for (int k = 0; k < sparse.w1RowCount; k++) {
                listed.set(sparse.w1Rows[k]);
            }
            assertThat(listed).isEqualTo(active);
            for (int input = 0; input < SPEC.inputs(); input++) {
                if (!active.get(input)) {
                    for (int j = 0; j < SPEC.hidden(); j++) {
                        assertThat(sparse.w1[input * SPEC.hidden() + j]).isZero();
                    }
                }
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int k = 0; k < actual.length; k++) {
            assertThat(actual[k]).as("[%d]", k).isCloseTo(expected[k], within(1e-5f * Math.max(1f, Math.abs(expected[k]))));
        }
    }
}
