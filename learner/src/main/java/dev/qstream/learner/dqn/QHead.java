package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;

import java.nio.FloatBuffer;

/**
 * The output layer, one action at a time: A(s, a) = h·w_a + b_a, and Q(s, a), which is A itself or, with the dueling
 * head, V(s) + A(s, a) − mean_{a' ∈ mask(s)} A(s, a'). Everything here reads the direct views: the update needs
 * these values for a handful of actions per state, where a dot product beats a native call. {@code hidden} is always
 * a B × hidden activation buffer and {@code i} its row.
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
    float advantage(FloatBuffer hidden, int i, Parameters p, int a) {
        return dot(hidden, i * h, p.w2View, a * h, h) + p.b2View.get(a);
    }

    /** Q(s_i, a); the dueling head's mean runs over {@code mask}, the valid actions of s_i (null = every action). */
    float q(FloatBuffer hidden, int i, Parameters p, int a, int[] mask) {
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
    int argmax(FloatBuffer hidden, int i, Parameters p, int[] mask) {
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
    int argmaxWithMargin(FloatBuffer hidden, int i, Parameters p, int[] mask, int demonstrated, float margin) {
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

    /**
     * The same argmax on scores already computed for every action: over the mask (null = every action) of
     * {@code scores[offset + a] + bias[a]} (the dense product leaves the bias out; adding it while scanning is
     * cheaper than a broadcast).
     */
    int argmaxOfScores(FloatBuffer scores, int offset, FloatBuffer bias, int[] mask) {
        if (mask == null) {
            int best = 0;
            float bestQ = scores.get(offset) + bias.get(0);
            for (int a = 1; a < actions; a++) {
                float v = scores.get(offset + a) + bias.get(a);
                if (v > bestQ) {
                    bestQ = v;
                    best = a;
                }
            }
            return best;
        }
        int best = mask[0];
        float bestQ = scores.get(offset + best) + bias.get(best);
        for (int k = 1; k < mask.length; k++) {
            float v = scores.get(offset + mask[k]) + bias.get(mask[k]);
            if (v > bestQ) {
                bestQ = v;
                best = mask[k];
            }
        }
        return best;
    }

    /** a[aOff..aOff+n) · b[bOff..bOff+n), in four independent sums so the JIT can keep them in flight together. */
    static float dot(FloatBuffer a, int aOff, FloatBuffer b, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a.get(aOff + j) * b.get(bOff + j);
            s1 += a.get(aOff + j + 1) * b.get(bOff + j + 1);
            s2 += a.get(aOff + j + 2) * b.get(bOff + j + 2);
            s3 += a.get(aOff + j + 3) * b.get(bOff + j + 3);
        }
        for (; j < n; j++) {
            s0 += a.get(aOff + j) * b.get(bOff + j);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
