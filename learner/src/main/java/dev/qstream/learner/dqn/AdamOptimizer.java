package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;

/**
 * Adam (or plain SGD, to cross-check against DL4J) on the update's {@link Gradients}: dense for the hidden layer and
 * the dueling vector, lazy for the output layer: only the rows the batch touched take a step, and the other rows'
 * moments wait (a dense step would walk all 10,000 rows to move a few hundred). W1 stays dense although its gradient
 * is non-zero only on the rows of the batch's active inputs: the rows it skips would still decay their moments and
 * move by them, so a lazy step there would change the optimizer, and at 800 × 256 the dense step costs little.
 * Bias correction is folded into the step size: α·√(1 − β2ᵗ)/(1 − β1ᵗ).
 */
final class AdamOptimizer {

    /** First moments m, per parameter. */
    final Parameters m;
    /** Second moments v, per parameter. */
    final Parameters v;
    private final boolean sgd;
    private final DqnConfig cfg;
    private final double beta1;
    private final double beta2;
    private final float eps;

    AdamOptimizer(DqnConfig cfg, QNetworkSpec spec) {
        this.m = Parameters.zeros(spec);
        this.v = Parameters.zeros(spec);
        this.sgd = cfg.optimizer() == DqnConfig.Optimizer.SGD;
        this.cfg = cfg;
        this.beta1 = cfg.adamBeta1();
        this.beta2 = cfg.adamBeta2();
        this.eps = (float) cfg.adamEpsilon();
    }

    /** The factor that brings a gradient of global norm {@code norm} down to {@code maxNorm} (0 = no clipping). */
    static float clipScale(double norm, double maxNorm) {
        return maxNorm > 0 && norm > maxNorm ? (float) (maxNorm / norm) : 1f;
    }

    /** Adam's step size at step t (1-based): the scheduled α, bias correction included; SGD's is α itself. */
    float stepSize(long t) {
        if (sgd) {
            return (float) cfg.learningRateAt(t);
        }
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        return (float) (cfg.learningRateAt(t) * Math.sqrt(bc2) / bc1);
    }

    /**
     * Step t (1-based) on every parameter {@code g} holds a gradient for, each gradient multiplied by {@code scale}
     * (the clipping factor); {@code withV}: the dueling vector too.
     */
    void step(Parameters p, Gradients g, float scale, long t, boolean withV) {
        int h = g.b1.length;
        float stepSize = stepSize(t);
        step(p.w1, m.w1, v.w1, 0, g.w1, 0, g.w1.length, scale, stepSize);
        step(p.b1, m.b1, v.b1, 0, g.b1, 0, h, scale, stepSize);
        for (int r = 0; r < g.rows; r++) {
            int a = g.rowAction[r];
            step(p.w2, m.w2, v.w2, a * h, g.w2Rows, r * h, h, scale, stepSize);
            step(p.b2, m.b2, v.b2, a, g.b2Rows, r, 1, scale, stepSize);
        }
        if (withV) {
            step(p.v, m.v, v.v, 0, g.v, 0, h + 1, scale, stepSize);
        }
    }

    /**
     * One step on n parameters {@code p[pOff..pOff+n)} (moments at the same offsets) with gradient
     * {@code scale · grad[gOff..gOff+n)}: Adam, or plain SGD when so configured.
     */
    void step(float[] p, float[] m, float[] v, int pOff, float[] grad, int gOff, int n, float scale, float stepSize) {
        if (sgd) {
            for (int k = 0; k < n; k++) {
                p[pOff + k] = p[pOff + k] - stepSize * scale * grad[gOff + k];
            }
            return;
        }
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        for (int k = 0; k < n; k++) {
            float gk = grad[gOff + k] * scale;
            int idx = pOff + k;
            float mk = b1 * m[idx] + (1 - b1) * gk;
            float vk = b2 * v[idx] + (1 - b2) * gk * gk;
            m[idx] = mk;
            v[idx] = vk;
            p[idx] = p[idx] - stepSize * mk / ((float) Math.sqrt(vk) + eps);
        }
    }
}
