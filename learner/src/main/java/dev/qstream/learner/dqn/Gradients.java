package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The gradient of the batch loss and the backward pass that fills it, from dL/dQ(s_i, a_i) per row. The hidden layer's
 * gradient is dense (W1 through one sgemm, b1); the output layer's holds only the rows the batch touched: the taken
 * actions and, with the dueling head, every valid action of each state (through the mean), plus v. Buffers are
 * preallocated; each {@link #backward} overwrites them.
 */
final class Gradients {

    private final int in;
    private final int h;
    private final int b;
    /** dL/dW1 (inputs × hidden). */
    final INDArray w1;
    final FloatBuffer w1View;
    /** dL/db1. */
    final float[] b1;
    final FloatBuffer b1View;
    /** dL/dv, then dL/db_v (dueling head only). */
    final float[] v;
    final FloatBuffer vView;
    /** dL/dw_a for the touched rows, row r belonging to action {@code rowAction[r]}. */
    final float[] w2Rows;
    final FloatBuffer w2RowsView;
    /** dL/db_a for the touched rows. */
    final float[] b2Rows;
    final FloatBuffer b2RowsView;
    final int[] rowAction;
    /** Rows touched by the last backward pass. */
    int rows;
    private final int[] rowOfAction; // action → its row, −1 when untouched
    /** dL/dh (B × hidden); first dQ/dh, then through the ReLU. */
    final INDArray dHidden;
    final FloatBuffer dHiddenView;

    Gradients(QNetworkSpec spec, int batchSize, boolean dueling) {
        this.in = spec.inputs();
        this.h = spec.hidden();
        this.b = batchSize;
        this.w1 = Nd4j.create(DataType.FLOAT, in, h);
        this.w1View = Parameters.view(w1);
        this.b1 = new float[h];
        this.b1View = FloatBuffer.wrap(b1);
        this.v = new float[h + 1];
        this.vView = FloatBuffer.wrap(v);
        // dueling touches every valid action's row; a margin row touches one more action
        int maxRows = dueling ? spec.actions() : Math.min(spec.actions(), 2 * b);
        this.w2Rows = new float[maxRows * h];
        this.w2RowsView = FloatBuffer.wrap(w2Rows);
        this.b2Rows = new float[maxRows];
        this.b2RowsView = FloatBuffer.wrap(b2Rows);
        this.rowAction = new int[maxRows];
        this.rowOfAction = new int[spec.actions()];
        Arrays.fill(rowOfAction, -1);
        this.dHidden = Nd4j.create(DataType.FLOAT, b, h);
        this.dHiddenView = Parameters.view(dHidden);
    }

    /**
     * Backward pass of the batch loss, whose derivative with respect to Q(s_i, a_i) is {@code dq[i]}: {@code x} is the
     * batch's input, {@code hidden} its hidden layer (after the ReLU) under {@code online}.
     */
    void backward(Batch batch, float[] dq, INDArray x, FloatBuffer hidden, Parameters online, DuelingHead dueling) {
        backward(batch, dq, null, null, x, hidden, online, dueling);
    }

    /**
     * The same, plus a large-margin term on some rows: where {@code marginAction[i] >= 0} the loss also holds
     * {@code marginDq[i]}·(A(s_i, marginAction[i]) − A(s_i, a_i)), which lowers the runner-up and raises the taken
     * action (differences of Q are differences of A, so the dueling head's V and mean do not enter).
     */
    void backward(Batch batch, float[] dq, int[] marginAction, float[] marginDq, INDArray x, FloatBuffer hidden,
                  Parameters online, DuelingHead dueling) {
        clear();
        FloatBuffer w2 = online.w2View;
        for (int i = 0; i < b; i++) {
            float gi = dq[i];
            int hRow = i * h;
            int a = batch.actions[i];
            int rival = marginAction == null ? -1 : marginAction[i];
            float gm = rival >= 0 ? marginDq[i] : 0f;
            addToRow(a, gi, hidden, hRow);
            if (rival >= 0) {
                addToRow(rival, gm, hidden, hRow);
                addToRow(a, -gm, hidden, hRow);
            }
            // dQ/dh = w_a (+ v − mean of the masked rows, with the dueling head)
            for (int j = 0; j < h; j++) {
                dHiddenView.put(hRow + j, w2.get(a * h + j));
            }
            if (dueling != null) {
                dueling.backward(this, online, hidden, i, gi, batch.masks[i]);
            }
            // Through the ReLU: the pre-activation was positive exactly where the activation is.
            for (int j = 0; j < h; j++) {
                float dLossDh = gi * dHiddenView.get(hRow + j);
                if (rival >= 0) {
                    dLossDh += gm * (w2.get(rival * h + j) - w2.get(a * h + j));
                }
                float d = hidden.get(hRow + j) > 0f ? dLossDh : 0f;
                dHiddenView.put(hRow + j, d);
                b1[j] += d;
            }
        }
        Nd4j.gemm(x, dHidden, w1, true, false, 1.0, 0.0); // dL/dW1 = xᵀ · dL/dh
    }

    /** Adds scale·h_i to the gradient row of action a, and scale to its bias, opening the row on first touch. */
    void addToRow(int a, float scale, FloatBuffer hidden, int hRow) {
        int r = rowOfAction[a];
        if (r < 0) {
            r = rows++;
            rowOfAction[a] = r;
            rowAction[r] = a;
            b2Rows[r] = 0f;
            Arrays.fill(w2Rows, r * h, r * h + h, 0f);
        }
        b2Rows[r] += scale;
        int gRow = r * h;
        for (int j = 0; j < h; j++) {
            w2Rows[gRow + j] += scale * hidden.get(hRow + j);
        }
    }

    /** Squared global norm; {@code withV}: include the dueling vector. */
    double sumOfSquares(boolean withV) {
        return sumSquares(w1View, in * h) + sumSquares(b1, h) + sumSquares(w2Rows, rows * h)
                + sumSquares(b2Rows, rows) + (withV ? sumSquares(v, h + 1) : 0);
    }

    private void clear() {
        for (int r = 0; r < rows; r++) {
            rowOfAction[rowAction[r]] = -1;
        }
        rows = 0;
        Arrays.fill(b1, 0f);
        Arrays.fill(v, 0f);
    }

    private static double sumSquares(FloatBuffer buf, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            float x = buf.get(i);
            s += x * x;
        }
        return s;
    }

    private static double sumSquares(float[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * a[i];
        }
        return s;
    }
}
