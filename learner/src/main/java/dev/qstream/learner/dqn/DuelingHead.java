package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;

import java.util.Arrays;

/**
 * The dueling head: Q(s, a) = V(s) + A(s, a) − mean_{a' ∈ mask(s)} A(s, a'), with V(s) = v·h + b_v kept in the
 * parameters' {@code v} vector (v then b_v) and A the ordinary output layer. The mean runs over the state's valid
 * actions, so the gradient of Q(s, a) reaches every valid action's row (−1/m each) as well as v.
 */
final class DuelingHead {

    private final QHead head;
    private final int h;
    private final int actions;
    private final float[] meanRow; // scratch: mean of the W2 rows over a mask

    DuelingHead(QHead head, QNetworkSpec spec) {
        this.head = head;
        this.h = spec.hidden();
        this.actions = spec.actions();
        this.meanRow = new float[h];
    }

    /** V(s_i) − mean_{a ∈ mask} A(s_i, a): what the head adds to A(s_i, ·), the same for every action. */
    float shift(float[] hidden, int i, Parameters p, int[] mask) {
        return value(hidden, i, p) - meanAdvantage(hidden, i, p, mask);
    }

    /** V(s_i) = h_i · v + b_v. */
    float value(float[] hidden, int i, Parameters p) {
        return QHead.dot(hidden, i * h, p.v, 0, h) + p.v[h];
    }

    /** Mean of A(s_i, ·) over the mask (null = every action). */
    float meanAdvantage(float[] hidden, int i, Parameters p, int[] mask) {
        int m = mask == null ? actions : mask.length;
        double sum = 0;
        for (int k = 0; k < m; k++) {
            sum += head.advantage(hidden, i, p, mask == null ? k : mask[k]);
        }
        return (float) (sum / m);
    }

    /**
     * The head's part of the backward pass for row i, whose dL/dQ is {@code dq}: −dq/m into the row of each of the
     * state's m valid actions, dq·h_i into v (and dq into b_v), and v − mean of those rows added to dQ/dh_i, which
     * {@code g.dHidden} holds (w_a so far).
     */
    void backward(Gradients g, Parameters p, float[] hidden, int i, float dq, int[] mask) {
        int hRow = i * h;
        int m = mask == null ? actions : mask.length;
        float share = -dq / m;
        for (int k = 0; k < m; k++) {
            g.addToRow(mask == null ? k : mask[k], share, hidden, hRow);
        }
        meanRow(p, mask);
        float[] dHidden = g.dHidden;
        for (int j = 0; j < h; j++) {
            g.v[j] += dq * hidden[hRow + j];
            dHidden[hRow + j] = dHidden[hRow + j] + p.v[j] - meanRow[j];
        }
        g.v[h] += dq;
    }

    /** meanRow = mean of the W2 rows over the mask (null = every action). */
    private void meanRow(Parameters p, int[] mask) {
        int m = mask == null ? actions : mask.length;
        Arrays.fill(meanRow, 0f);
        for (int k = 0; k < m; k++) {
            int row = (mask == null ? k : mask[k]) * h;
            for (int j = 0; j < h; j++) {
                meanRow[j] += p.w2[row + j];
            }
        }
        for (int j = 0; j < h; j++) {
            meanRow[j] /= m;
        }
    }

    /**
     * The network as actors serve it: V folded into every output row (w_a + v, b_a + b_v). Exact up to the
     * per-state mean, a constant shift over a state's actions that changes neither argmax nor softmax.
     */
    static QNetworkWeights fold(QNetworkWeights raw, float[] v) {
        QNetworkSpec spec = raw.spec();
        int h = spec.hidden();
        float[] w2 = raw.w2().clone();
        float[] b2 = raw.b2().clone();
        for (int a = 0; a < spec.actions(); a++) {
            for (int j = 0; j < h; j++) {
                w2[a * h + j] += v[j];
            }
            b2[a] += v[h];
        }
        return new QNetworkWeights(spec, raw.w1(), raw.b1(), w2, b2);
    }
}
