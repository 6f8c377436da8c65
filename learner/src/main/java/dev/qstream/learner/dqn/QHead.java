package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;

/**
 * The output layer, one action at a time: A(s, a) = h·w_a + b_a, and Q(s, a), which is A itself or, with the dueling
 * head, V(s) + A(s, a) − mean_{a' ∈ mask(s)} A(s, a'). The update needs these values for a handful of actions per
 * state, where a dot product beats a native call. {@code hidden} is always a B × hidden activation array and
 * {@code i} its row.
 */
final class QHead {

    private final int h;
    private final int actions;
    /** Null without the dueling head. */
    final DuelingHead dueling;

    QHead(QNetworkSpec spec, boolean dueling) {
        this.h = spec.hidden();
        this.actions = spec.actions();
        this.dueling = dueling ? new DuelingHead(this, spec) : null;
    }

    /** A(s_i, a) = h_i · w_a + b_a. */
    float advantage(float[] hidden, int i, Parameters p, int a) {
        return dot(hidden, i * h, p.w2, a * h, h) + p.b2[a];
    }

    /** Q(s_i, a); the dueling head's mean runs over {@code mask}, the valid actions of s_i (null = every action). */
    float q(float[] hidden, int i, Parameters p, int a, int[] mask) {
        float q = advantage(hidden, i, p, a);
        if (dueling != null) {
            q += dueling.shift(hidden, i, p, mask);
        }
        return q;
    }

    /**
     * argmax over the mask (null = every action) of A(s_i, a), one dot product per action. The dueling head's
     * V − mean is the same for every action of a state, so A alone decides.
     */
    int argmax(float[] hidden, int i, Parameters p, int[] mask) {
        int m = mask == null ? actions : mask.length;
        int best = mask == null ? 0 : mask[0];
        float bestQ = advantage(hidden, i, p, best);
        for (int k = 1; k < m; k++) {
            int a = mask == null ? k : mask[k];
            float v = advantage(hidden, i, p, a);
            if (v > bestQ) {
                bestQ = v;
                best = a;
            }
        }
        return best;
    }

    /**
     * argmax over the mask (null = every action) of A(s_i, a) + margin·1(a ≠ demonstrated): the action that most
     * violates the demonstration's margin (the demonstrated action itself when none does).
     */
    int argmaxWithMargin(float[] hidden, int i, Parameters p, int[] mask, int demonstrated, float margin) {
        int m = mask == null ? actions : mask.length;
        int best = demonstrated;
        float bestQ = advantage(hidden, i, p, demonstrated);
        for (int k = 0; k < m; k++) {
            int a = mask == null ? k : mask[k];
            if (a == demonstrated) {
                continue;
            }
            float v = advantage(hidden, i, p, a) + margin;
            if (v > bestQ) {
                bestQ = v;
                best = a;
            }
        }
        return best;
    }

    /** a[aOff..aOff+n) · b[bOff..bOff+n), in four independent sums so the JIT can keep them in flight together. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[aOff + j] * b[bOff + j];
            s1 += a[aOff + j + 1] * b[bOff + j + 1];
            s2 += a[aOff + j + 2] * b[bOff + j + 2];
            s3 += a[aOff + j + 3] * b[bOff + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
