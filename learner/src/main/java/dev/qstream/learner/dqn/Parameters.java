package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;

/**
 * One set of the network's parameters (the online net, the target net, or one of Adam's moments) as plain Java arrays
 * in the layout of {@link QNetworkWeights}: {@code w1[i * hidden + j]} (input-major, so one input's weights are a
 * contiguous row, which the sparse first layer sums), {@code w2[a * hidden + j]} (one action's row contiguous, which
 * its dot product reads). Heap arrays rather than ND4J's off-heap buffers: the JIT compiles loops over them to vector
 * instructions (when written as {@link HiddenLayer#sumRows} explains), where a direct buffer's per-element get/put
 * costs nanoseconds each. The one dense product left ({@link ActionPicker}) copies what it needs into ND4J arrays. {@code v} is the dueling head's vector:
 * v then b_v (zeros without the head).
 */
final class Parameters {
    final float[] w1;
    final float[] b1;
    final float[] w2;
    final float[] b2;
    final float[] v;

    private Parameters(QNetworkSpec spec) {
        w1 = new float[spec.inputs() * spec.hidden()];
        b1 = new float[spec.hidden()];
        w2 = new float[spec.actions() * spec.hidden()];
        b2 = new float[spec.actions()];
        v = new float[spec.hidden() + 1];
    }

    static Parameters zeros(QNetworkSpec spec) {
        return new Parameters(spec);
    }

    static Parameters of(QNetworkWeights w) {
        Parameters p = new Parameters(w.spec());
        p.set(w);
        return p;
    }

    /** Sets W1, b1, W2, b2 (the dueling vector is left as it is). */
    void set(QNetworkWeights w) {
        System.arraycopy(w.w1(), 0, w1, 0, w1.length);
        System.arraycopy(w.b1(), 0, b1, 0, b1.length);
        System.arraycopy(w.w2(), 0, w2, 0, w2.length);
        System.arraycopy(w.b2(), 0, b2, 0, b2.length);
    }

    /** A copy of the dueling vector (v then b_v). */
    float[] vector() {
        return v.clone();
    }

    void setVector(float[] values) {
        System.arraycopy(values, 0, v, 0, v.length);
    }

    void copyFrom(Parameters other) {
        System.arraycopy(other.w1, 0, w1, 0, w1.length);
        System.arraycopy(other.b1, 0, b1, 0, b1.length);
        System.arraycopy(other.w2, 0, w2, 0, w2.length);
        System.arraycopy(other.b2, 0, b2, 0, b2.length);
        System.arraycopy(other.v, 0, v, 0, v.length);
    }

    /** this ← (1 − τ)·this + τ·other, in place. */
    void polyak(Parameters other, double tau) {
        float t = (float) tau;
        mix(w1, other.w1, t);
        mix(b1, other.b1, t);
        mix(w2, other.w2, t);
        mix(b2, other.b2, t);
        mix(v, other.v, t);
    }

    private static void mix(float[] self, float[] other, float tau) {
        for (int i = 0; i < self.length; i++) {
            self[i] = self[i] + tau * (other[i] - self[i]);
        }
    }

    /** W1, b1, W2, b2 as copied arrays (the dueling vector unfolded: see {@link DuelingHead#fold}). */
    QNetworkWeights toWeights(QNetworkSpec spec) {
        return new QNetworkWeights(spec, w1.clone(), b1.clone(), w2.clone(), b2.clone());
    }
}
