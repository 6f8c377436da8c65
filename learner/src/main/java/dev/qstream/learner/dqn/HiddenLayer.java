package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The first layer of a batch, h = relu(x·W1 + b1), and its part of the backward pass, dL/dW1 = xᵀ·dL/dh. A state has
 * a few dozen active inputs of several hundred (E2E: ~36 of 800), so the forward pass sums the W1 rows of a row's
 * active inputs (W1 is input-major: one input's weights are contiguous, as in the actors' {@code QFunction}), and the
 * gradient is non-zero on those inputs' rows only ({@link Gradients} lists them), each the sum of value·dL/dh_i over
 * the rows i the input is active in. That is B·nnz·hidden multiply-adds where the dense products take
 * B·inputs·hidden, and ND4J is not called at all.
 *
 * <p>The dense products (sgemm on the scattered states, as the update did before) remain for batches whose states
 * are not sparse: chosen per call when non-zeros × {@link #DENSE_RATIO} exceed rows × inputs, and forced in tests
 * to check the sparse path against them.
 */
final class HiddenLayer {

    /**
     * Above one active input in this many, the dense products are cheaper. Measured at 800 → 256, B = 256 (forward
     * and backward, sparse against dense): 0.45 against 2.2 ms at E2E's density (1/22), 2.1 against 2.4 ms at 1/4,
     * 2.7 against 1.9 ms at 1/3.
     */
    static final int DENSE_RATIO = 4;

    private final int in;
    private final int h;
    private final int b;
    // The batch by input, for the backward pass (compressed sparse columns); grown like SparseRows.
    private final int[] byInputStart;
    private final int[] nextSlot;
    private int[] byInputRow;
    private float[] byInputValue;
    // sumRows' scratch: the running sum and four rows, each at offset 0 (see there).
    private final float[] sum;
    private final float[] scratch0;
    private final float[] scratch1;
    private final float[] scratch2;
    private final float[] scratch3;
    // What turns a state into its next state, for forwardFrom: at most every input of both.
    private final int[] changedInput;
    private final float[] changedValue;
    private DenseProducts dense; // created on first use: sparse batches never need it

    HiddenLayer(QNetworkSpec spec, int batchSize) {
        this.in = spec.inputs();
        this.h = spec.hidden();
        this.b = batchSize;
        this.byInputStart = new int[in + 1];
        this.nextSlot = new int[in];
        this.byInputRow = new int[b * Math.min(in, 64)];
        this.byInputValue = new float[byInputRow.length];
        this.sum = new float[h];
        this.scratch0 = new float[h];
        this.scratch1 = new float[h];
        this.scratch2 = new float[h];
        this.scratch3 = new float[h];
        this.changedInput = new int[2 * in];
        this.changedValue = new float[2 * in];
    }

    /** Whether a batch with these states takes the sparse path ({@code maySum}: false forces the dense one). */
    boolean sumsRows(SparseRows x, boolean maySum) {
        return maySum && (long) x.nonZeros() * DENSE_RATIO <= (long) x.rows() * in;
    }

    /**
     * out (B × hidden) = relu(x·W1 + b1) with {@code p}'s W1 and b1; the pre-activations x·W1 + b1 are kept in
     * {@code pre} (B × hidden) for {@link #forwardFrom}, unless it is null.
     */
    void forward(SparseRows x, Parameters p, float[] pre, float[] out, boolean maySum) {
        float[] sums = pre != null ? pre : out;
        if (!sumsRows(x, maySum)) {
            dense().forward(x, p, sums);
        } else {
            for (int i = 0; i < b; i++) {
                System.arraycopy(p.b1, 0, sums, i * h, h);
                sumRows(p.w1, x.indices, x.values, x.start[i], x.start[i + 1], sums, i * h);
            }
        }
        for (int k = 0; k < b * h; k++) {
            out[k] = Math.max(sums[k], 0f);
        }
    }

    /**
     * out = relu(next·W1 + b1), from the pre-activations {@code xPre} of states {@code x} under the same {@code p}
     * (kept by {@link #forward}): a next state is its state plus the next n tokens, which change a few of its inputs
     * (E2E: ~7 of ~36: the last and previous token, the position, the generated words), so row i starts from row i of
     * {@code xPre}, adds the W1 rows of the inputs it gains and subtracts those of the inputs it loses. A row that
     * changes more inputs than it has sums its own; rows not in ascending input order (the encoder's are) all do.
     */
    void forwardFrom(SparseRows x, float[] xPre, SparseRows next, Parameters p, float[] out, boolean maySum) {
        if (!sumsRows(next, maySum) || !x.rowsAscending() || !next.rowsAscending()) {
            forward(next, p, null, out, maySum);
            return;
        }
        for (int i = 0; i < b; i++) {
            int o = i * h;
            int changes = changedInputs(x, next, i);
            if (changes < next.start[i + 1] - next.start[i]) {
                System.arraycopy(xPre, o, out, o, h);
                sumRows(p.w1, changedInput, changedValue, 0, changes, out, o);
            } else {
                System.arraycopy(p.b1, 0, out, o, h);
                sumRows(p.w1, next.indices, next.values, next.start[i], next.start[i + 1], out, o);
            }
            for (int j = 0; j < h; j++) {
                out[o + j] = Math.max(out[o + j], 0f);
            }
        }
    }

    /**
     * changedInput/changedValue ← what turns row i of x into row i of next (both ascending): +value for an input
     * next gains (or whose value changes), −value for one it loses. Returns their number.
     */
    private int changedInputs(SparseRows x, SparseRows next, int i) {
        int a = x.start[i];
        int aEnd = x.start[i + 1];
        int c = next.start[i];
        int cEnd = next.start[i + 1];
        int n = 0;
        while (a < aEnd || c < cEnd) {
            int ia = a < aEnd ? x.indices[a] : Integer.MAX_VALUE;
            int ic = c < cEnd ? next.indices[c] : Integer.MAX_VALUE;
            if (ia == ic) {
                if (x.values[a] != next.values[c]) {
                    changedInput[n] = ia;
                    changedValue[n++] = next.values[c] - x.values[a];
                }
                a++;
                c++;
            } else if (ia < ic) {
                changedInput[n] = ia;
                changedValue[n++] = -x.values[a++];
            } else {
                changedInput[n] = ic;
                changedValue[n++] = next.values[c++];
            }
        }
        return n;
    }

    /**
     * g.w1 = xᵀ·dL/dh ({@code g.dHidden}, after the ReLU), on the rows of the inputs active in the batch only (listed
     * in {@code g}; the others stay zero). The batch is transposed first (input → the rows it is active in), so that
     * each gradient row is the sum of a few dL/dh rows, written once, like a forward row.
     */
    void backward(SparseRows x, Gradients g, boolean maySum) {
        g.clearW1();
        if (!sumsRows(x, maySum)) {
            dense().backward(x, g);
            return;
        }
        transpose(x);
        for (int input = 0; input < in; input++) {
            if (byInputStart[input] < byInputStart[input + 1]) {
                g.listW1Row(input);
                sumRows(g.dHidden, byInputRow, byInputValue, byInputStart[input], byInputStart[input + 1], g.w1,
                        input * h);
            }
        }
    }

    /**
     * out[o..o+h) += Σ_k values[k]·rows[which[k]·h ..] for k in [from, to), four rows at a time. Everything is first
     * copied to scratch arrays read and written at offset 0: the JIT (C2, JDK 17) does not vectorize a loop that reads
     * one array and writes another at different offsets (it cannot rule out that they are the same array), and the
     * copies (an intrinsic) cost less than the scalar loop they replace: 20 against 50 ns per four 256-wide rows
     * measured on the bench machine. Four rows per pass load and store the sum once for four rows.
     */
    private void sumRows(float[] rows, int[] which, float[] values, int from, int to, float[] out, int o) {
        float[] sum = this.sum;
        float[] t0 = scratch0;
        float[] t1 = scratch1;
        float[] t2 = scratch2;
        float[] t3 = scratch3;
        System.arraycopy(out, o, sum, 0, h);
        int k = from;
        for (; k + 3 < to; k += 4) {
            System.arraycopy(rows, which[k] * h, t0, 0, h);
            System.arraycopy(rows, which[k + 1] * h, t1, 0, h);
            System.arraycopy(rows, which[k + 2] * h, t2, 0, h);
            System.arraycopy(rows, which[k + 3] * h, t3, 0, h);
            float v0 = values[k];
            float v1 = values[k + 1];
            float v2 = values[k + 2];
            float v3 = values[k + 3];
            if (v0 == 1f && v1 == 1f && v2 == 1f && v3 == 1f) { // the encoder's inputs are all 1: no multiplies
                for (int j = 0; j < h; j++) {
                    sum[j] += (t0[j] + t1[j]) + (t2[j] + t3[j]);
                }
            } else {
                for (int j = 0; j < h; j++) {
                    sum[j] += (v0 * t0[j] + v1 * t1[j]) + (v2 * t2[j] + v3 * t3[j]);
                }
            }
        }
        for (; k < to; k++) {
            System.arraycopy(rows, which[k] * h, t0, 0, h);
            float v = values[k];
            for (int j = 0; j < h; j++) {
                sum[j] += v * t0[j];
            }
        }
        System.arraycopy(sum, 0, out, o, h);
    }

    /** byInput* ← the batch by input: input i is active in rows byInputRow[byInputStart[i] .. byInputStart[i+1]). */
    private void transpose(SparseRows x) {
        int nnz = x.nonZeros();
        if (byInputRow.length < nnz) {
            byInputRow = new int[nnz];
            byInputValue = new float[nnz];
        }
        Arrays.fill(byInputStart, 0);
        for (int k = 0; k < nnz; k++) {
            byInputStart[x.indices[k] + 1]++;
        }
        for (int input = 0; input < in; input++) {
            byInputStart[input + 1] += byInputStart[input];
        }
        // fill through a cursor per input (nextSlot), leaving byInputStart as it is
        System.arraycopy(byInputStart, 0, nextSlot, 0, in);
        for (int i = 0; i < b; i++) {
            for (int k = x.start[i]; k < x.start[i + 1]; k++) {
                int slot = nextSlot[x.indices[k]]++;
                byInputRow[slot] = i;
                byInputValue[slot] = x.values[k];
            }
        }
    }

    private DenseProducts dense() {
        if (dense == null) {
            dense = new DenseProducts();
        }
        return dense;
    }

    /** The dense path: the states scattered into a B × inputs matrix, W1 copied into ND4J, one sgemm each way. */
    private final class DenseProducts {
        private final float[] scattered = new float[b * in];
        private final INDArray x = Nd4j.create(DataType.FLOAT, b, in);
        private final INDArray w1 = Nd4j.create(DataType.FLOAT, in, h);
        private final INDArray product = Nd4j.create(DataType.FLOAT, b, h);   // x·W1, then dL/dh for the gradient
        private final INDArray gradient = Nd4j.create(DataType.FLOAT, in, h); // xᵀ·dL/dh
        private final FloatBuffer xView = x.data().asNioFloat();
        private final FloatBuffer w1View = w1.data().asNioFloat();
        private final FloatBuffer productView = product.data().asNioFloat();
        private final FloatBuffer gradientView = gradient.data().asNioFloat();

        /** pre = x·W1 + b1. */
        void forward(SparseRows states, Parameters p, float[] pre) {
            scatter(states);
            w1View.put(0, p.w1, 0, in * h);
            Nd4j.gemm(x, w1, product, false, false, 1.0, 0.0);
            productView.get(0, pre, 0, b * h);
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < h; j++) {
                    pre[i * h + j] += p.b1[j];
                }
            }
        }

        void backward(SparseRows states, Gradients g) {
            scatter(states);
            productView.put(0, g.dHidden, 0, b * h);
            Nd4j.gemm(x, product, gradient, true, false, 1.0, 0.0);
            gradientView.get(0, g.w1, 0, in * h);
            for (int input = 0; input < in; input++) {
                g.listW1Row(input);
            }
        }

        private void scatter(SparseRows states) {
            Arrays.fill(scattered, 0f);
            states.scatterInto(scattered);
            xView.put(0, scattered, 0, b * in);
        }
    }
}
