package dev.qstream.policy.network;

import dev.qstream.policy.state.SparseState;

/**
 * Q-values of one state, computed the way serving needs: the hidden layer as a sum of the rows of the few active
 * inputs, then one dot product per action asked for. With a mask of k valid actions that is k·hidden multiply-adds
 * instead of actions·hidden. Stateless apart from the immutable weights: safe from any number of threads.
 */
public final class QFunction {

    private final QNetworkWeights w;
    private final int hidden;

    public QFunction(QNetworkWeights weights) {
        this.w = weights;
        this.hidden = weights.spec().hidden();
    }

    public QNetworkWeights weights() {
        return w;
    }

    public int hiddenSize() {
        return hidden;
    }

    /** h = relu(b1 + Σ value·W1[index]) into {@code h} (length hidden). */
    public void hidden(SparseState state, float[] h) {
        float[] w1 = w.w1();
        System.arraycopy(w.b1(), 0, h, 0, hidden);
        int[] idx = state.indices();
        float[] val = state.values();
        for (int k = 0; k < idx.length; k++) {
            int row = idx[k] * hidden;
            float v = val[k];
            if (v == 1f) {
                for (int j = 0; j < hidden; j++) {
                    h[j] += w1[row + j];
                }
            } else {
                for (int j = 0; j < hidden; j++) {
                    h[j] += v * w1[row + j];
                }
            }
        }
        for (int j = 0; j < hidden; j++) {
            if (h[j] < 0f) {
                h[j] = 0f;
            }
        }
    }

    /** Q(s, a) for one action given the hidden activations. */
    public float q(float[] h, int action) {
        float[] w2 = w.w2();
        int base = action * hidden;
        // Four independent accumulators let the CPU overlap the adds.
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < hidden; j += 4) {
            s0 += w2[base + j] * h[j];
            s1 += w2[base + j + 1] * h[j + 1];
            s2 += w2[base + j + 2] * h[j + 2];
            s3 += w2[base + j + 3] * h[j + 3];
        }
        for (; j < hidden; j++) {
            s0 += w2[base + j] * h[j];
        }
        return (s0 + s1) + (s2 + s3) + w.b2()[action];
    }

    /** Q-values of the listed actions into {@code out[0 .. actions.length)}. */
    public void q(float[] h, int[] actions, float[] out) {
        for (int i = 0; i < actions.length; i++) {
            out[i] = q(h, actions[i]);
        }
    }

    /** Q-values of every action into {@code out} (length = actions). */
    public void qAll(float[] h, float[] out) {
        int actions = w.spec().actions();
        for (int a = 0; a < actions; a++) {
            out[a] = q(h, a);
        }
    }
}
