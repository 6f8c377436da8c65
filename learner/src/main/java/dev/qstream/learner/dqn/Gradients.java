package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;

import java.util.Arrays;

/**
 * The gradient of the batch loss and the backward pass that fills it, from dL/dQ(s_i, a_i) per row, down to dL/dh
 * (after the ReLU) and b1; {@link HiddenLayer#backward} takes it on into W1. dL/dW1 is held dense but non-zero only
 * on the rows of the inputs active in the batch's states (listed in {@code w1Rows}); the output layer's holds only
 * the rows the batch touched: the taken actions and, with the dueling head, every valid action of each state (through
 * the mean), plus v. Buffers are preallocated; each backward pass overwrites them.
 */
final class Gradients {

    private final int in;
    private final int h;
    private final int b;
    /** dL/dW1 (inputs × hidden): zero except on the rows listed in {@code w1Rows[0..w1RowCount)}. */
    final float[] w1;
    final int[] w1Rows;
    int w1RowCount;
    private final boolean[] w1RowListed;
    /** dL/db1. */
    final float[] b1;
    /** dL/dv, then dL/db_v (dueling head only). */
    final float[] v;
    /** dL/dw_a for the touched rows, row r belonging to action {@code rowAction[r]}. */
    final float[] w2Rows;
    /** dL/db_a for the touched rows. */
    final float[] b2Rows;
    final int[] rowAction;
    /** Rows touched by the last backward pass. */
    int rows;
    private final int[] rowOfAction; // action → its row, −1 when untouched
    /** dL/dh (B × hidden); first dQ/dh, then through the ReLU. */
    final float[] dHidden;

    Gradients(QNetworkSpec spec, int batchSize, boolean dueling) {
        this.in = spec.inputs();
        this.h = spec.hidden();
        this.b = batchSize;
        this.w1 = new float[in * h];
        this.w1Rows = new int[in];
        this.w1RowListed = new boolean[in];
        this.b1 = new float[h];
        this.v = new float[h + 1];
        // dueling touches every valid action's row; a margin row touches one more action
        int maxRows = dueling ? spec.actions() : Math.min(spec.actions(), 2 * b);
        this.w2Rows = new float[maxRows * h];
        this.b2Rows = new float[maxRows];
        this.rowAction = new int[maxRows];
        this.rowOfAction = new int[spec.actions()];
        Arrays.fill(rowOfAction, -1);
        this.dHidden = new float[b * h];
    }

    /**
     * Backward pass of the batch loss down to dL/dh and b1, whose derivative with respect to Q(s_i, a_i) is
     * {@code dq[i]}: {@code hidden} is the batch's hidden layer (after the ReLU) under {@code online}.
     */
    void backward(Batch batch, float[] dq, float[] hidden, Parameters online, DuelingHead dueling) {
        backward(batch, dq, null, null, hidden, online, dueling);
    }

    /**
     * The same, plus a large-margin term on some rows: where {@code marginAction[i] >= 0} the loss also holds
     * {@code marginDq[i]}·(A(s_i, marginAction[i]) − A(s_i, a_i)), which lowers the runner-up and raises the taken
     * action (differences of Q are differences of A, so the dueling head's V and mean do not enter).
     */
    void backward(Batch batch, float[] dq, int[] marginAction, float[] marginDq, float[] hidden, Parameters online,
                  DuelingHead dueling) {
        clear();
        float[] w2 = online.w2;
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
            System.arraycopy(w2, a * h, dHidden, hRow, h);
            if (dueling != null) {
                dueling.backward(this, online, hidden, i, gi, batch.masks[i]);
            }
            // dL/dh_i = gi·dQ/dh (+ gm·(w_rival − w_a), the margin's), then through the ReLU: the pre-activation
            // was positive exactly where the activation is. Separate loops, so that the JIT vectorizes the
            // arithmetic ones.
            if (rival >= 0) {
                int rivalRow = rival * h;
                int takenRow = a * h;
                for (int j = 0; j < h; j++) {
                    dHidden[hRow + j] = gi * dHidden[hRow + j] + gm * (w2[rivalRow + j] - w2[takenRow + j]);
                }
            } else {
                for (int j = 0; j < h; j++) {
                    dHidden[hRow + j] = gi * dHidden[hRow + j];
                }
            }
            for (int j = 0; j < h; j++) {
                dHidden[hRow + j] = hidden[hRow + j] > 0f ? dHidden[hRow + j] : 0f;
            }
            for (int j = 0; j < h; j++) {
                b1[j] += dHidden[hRow + j];
            }
        }
    }

    /** Zeroes dL/dW1 where the last pass wrote it, so that only the rows listed next are non-zero. */
    void clearW1() {
        for (int r = 0; r < w1RowCount; r++) {
            int input = w1Rows[r];
            Arrays.fill(w1, input * h, input * h + h, 0f);
            w1RowListed[input] = false;
        }
        w1RowCount = 0;
    }

    /** Lists row {@code input} of dL/dW1 as written (once per pass). */
    void listW1Row(int input) {
        if (!w1RowListed[input]) {
            w1RowListed[input] = true;
            w1Rows[w1RowCount++] = input;
        }
    }

    /** Adds scale·h_i to the gradient row of action a, and scale to its bias, opening the row on first touch. */
    void addToRow(int a, float scale, float[] hidden, int hRow) {
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
            w2Rows[gRow + j] += scale * hidden[hRow + j];
        }
    }

    /** Squared global norm; {@code withV}: include the dueling vector. */
    double sumOfSquares(boolean withV) {
        double w1Squares = 0;
        for (int r = 0; r < w1RowCount; r++) {
            w1Squares += sumSquares(w1, w1Rows[r] * h, h);
        }
        return w1Squares + sumSquares(b1, 0, h) + sumSquares(w2Rows, 0, rows * h)
                + sumSquares(b2Rows, 0, rows) + (withV ? sumSquares(v, 0, h + 1) : 0);
    }

    private void clear() {
        for (int r = 0; r < rows; r++) {
            rowOfAction[rowAction[r]] = -1;
        }
        rows = 0;
        Arrays.fill(b1, 0f);
        Arrays.fill(v, 0f);
    }

    private static double sumSquares(float[] a, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += a[i] * a[i];
        }
        return s;
    }
}
