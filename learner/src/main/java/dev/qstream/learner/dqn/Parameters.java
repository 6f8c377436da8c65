package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * One set of the network's parameters (the online net, the target net, or one of Adam's moments) as ND4J arrays,
 * which {@code Nd4j.gemm} reads, plus direct views of the same memory, which the per-element loops read and write
 * without a native call per element. {@code v} is the dueling head's vector: v then b_v (zeros without the head).
 */
final class Parameters {
    final INDArray w1;
    final INDArray b1;
    final INDArray w2;
    final INDArray b2;
    final INDArray v;
    final FloatBuffer w1View;
    final FloatBuffer b1View;
    final FloatBuffer w2View;
    final FloatBuffer b2View;
    final FloatBuffer vView;

    private Parameters(QNetworkSpec spec) {
        w1 = Nd4j.create(DataType.FLOAT, spec.inputs(), spec.hidden());
        b1 = Nd4j.create(DataType.FLOAT, 1, spec.hidden());
        w2 = Nd4j.create(DataType.FLOAT, spec.actions(), spec.hidden());
        b2 = Nd4j.create(DataType.FLOAT, 1, spec.actions());
        v = Nd4j.create(DataType.FLOAT, 1, spec.hidden() + 1);
        w1View = view(w1);
        b1View = view(b1);
        w2View = view(w2);
        b2View = view(b2);
        vView = view(v);
    }

    static Parameters zeros(QNetworkSpec spec) {
        return new Parameters(spec);
    }

    static Parameters of(QNetworkWeights w) {
        Parameters p = new Parameters(w.spec());
        p.set(w);
        return p;
    }

    /** A direct view of an array's memory: absolute get/put, no copy. */
    static FloatBuffer view(INDArray array) {
        return array.data().asNioFloat();
    }

    /** Sets W1, b1, W2, b2 (the dueling vector is left as it is). */
    void set(QNetworkWeights w) {
        w1View.put(0, w.w1());
        b1View.put(0, w.b1());
        w2View.put(0, w.w2());
        b2View.put(0, w.b2());
    }

    /** A copy of the dueling vector (v then b_v). */
    float[] vector() {
        float[] out = new float[vView.capacity()];
        vView.get(0, out);
        return out;
    }

    void setVector(float[] values) {
        vView.put(0, values);
    }

    void copyFrom(Parameters other) {
        w1.assign(other.w1);
        b1.assign(other.b1);
        w2.assign(other.w2);
        b2.assign(other.b2);
        v.assign(other.v);
    }

    /** this ← (1 − τ)·this + τ·other, in place on the direct views (no temporaries). */
    void polyak(Parameters other, double tau) {
        float t = (float) tau;
        mix(w1View, other.w1View, t);
        mix(b1View, other.b1View, t);
        mix(w2View, other.w2View, t);
        mix(b2View, other.b2View, t);
        mix(vView, other.vView, t);
    }

    private static void mix(FloatBuffer self, FloatBuffer other, float tau) {
        for (int i = 0, n = self.capacity(); i < n; i++) {
            self.put(i, self.get(i) + tau * (other.get(i) - self.get(i)));
        }
    }

    /** W1, b1, W2, b2 as copied arrays (the dueling vector unfolded: see {@link DuelingHead#fold}). */
    QNetworkWeights toWeights(QNetworkSpec spec) {
        float[] w1Out = new float[spec.inputs() * spec.hidden()];
        float[] b1Out = new float[spec.hidden()];
        float[] w2Out = new float[spec.actions() * spec.hidden()];
        float[] b2Out = new float[spec.actions()];
        w1View.get(0, w1Out);
        b1View.get(0, b1Out);
        w2View.get(0, w2Out);
        b2View.get(0, b2Out);
        return new QNetworkWeights(spec, w1Out, b1Out, w2Out, b2Out);
    }
}
