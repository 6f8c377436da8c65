package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;

import java.nio.FloatBuffer;

/**
 * Adam (or plain SGD, to cross-check against DL4J) on the update's {@link Gradients}: dense for the hidden layer and
 * the dueling vector, lazy for the output layer: only the rows the batch touched take a step, and the other rows'
 * moments wait (a dense step would walk all 10,000 rows to move a few hundred). Bias correction is folded into the
 * step size: α·√(1 − β2ᵗ)/(1 − β1ᵗ).
 */
final class AdamOptimizer {

    /** First moments m, per parameter. */
    final Parameters m;
    /** Second moments v, per parameter. */
    final Parameters v;
    private final boolean sgd;
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final float eps;

    AdamOptimizer(DqnConfig cfg, QNetworkSpec spec) {
        this.m = Parameters.zeros(spec);
        this.v = Parameters.zeros(spec);
        this.sgd = cfg.optimizer() == DqnConfig.Optimizer.SGD;
        this.learningRate = cfg.learningRate();
        this.beta1 = cfg.adamBeta1();
        this.beta2 = cfg.adamBeta2();
        this.eps = (float) cfg.adamEpsilon();
    }

    /** The factor that brings a gradient of global norm {@code norm} down to {@code maxNorm} (0 = no clipping). */
    static float clipScale(double norm, double maxNorm) {
        return maxNorm > 0 && norm > maxNorm ? (float) (maxNorm / norm) : 1f;
    }

    /** Adam's step size at step t (1-based), bias correction included. */
    float stepSize(long t) {
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        return (float) (learningRate * Math.sqrt(bc2) / bc1);
    }

    /**
     * Step t (1-based) on every parameter {@code g} holds a gradient for, each gradient multiplied by {@code scale}
     * (the clipping factor); {@code withV}: the dueling vector too.
     */
    void step(Parameters p, Gradients g, float scale, long t, boolean withV) {
        int h = g.b1.length;
        float stepSize = stepSize(t);
        step(p.w1View, m.w1View, v.w1View, 0, g.w1View, 0, (int) g.w1.length(), scale, stepSize);
        step(p.b1View, m.b1View, v.b1View, 0, g.b1View, 0, h, scale, stepSize);
        for (int r = 0; r < g.rows; r++) {
            int a = g.rowAction[r];
            step(p.w2View, m.w2View, v.w2View, a * h, g.w2RowsView, r * h, h, scale, stepSize);
            step(p.b2View, m.b2View, v.b2View, a, g.b2RowsView, r, 1, scale, stepSize);
        }
        if (withV) {
            step(p.vView, m.vView, v.vView, 0, g.vView, 0, h + 1, scale, stepSize);
        }
    }

    /**
     * One step on n parameters {@code p[pOff..pOff+n)} (moments at the same offsets) with gradient
     * {@code scale · grad[gOff..gOff+n)}: Adam, or plain SGD when so configured.
     */
    void step(FloatBuffer p, FloatBuffer m, FloatBuffer v, int pOff, FloatBuffer grad, int gOff, int n,
              float scale, float stepSize) {
        if (sgd) {
            float lr = (float) learningRate;
            for (int k = 0; k < n; k++) {
                p.put(pOff + k, p.get(pOff + k) - lr * scale * grad.get(gOff + k));
            }
            return;
        }
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        for (int k = 0; k < n; k++) {
            float gk = grad.get(gOff + k) * scale;
            int idx = pOff + k;
            float mk = b1 * m.get(idx) + (1 - b1) * gk;
            float vk = b2 * v.get(idx) + (1 - b2) * gk * gk;
            m.put(idx, mk);
            v.put(idx, vk);
            p.put(idx, p.get(idx) - stepSize * mk / ((float) Math.sqrt(vk) + eps));
        }
    }
}
