package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The fast update's gradient, for every kind of parameter it touches, equals a central finite difference of the
 * loss computed by an independent double-precision implementation (with and without the dueling head, with masks
 * on some states, repeated actions and importance weights). Input dropout is off (it is on by default): the
 * check compares exact computations.
 */
class GradientCheckTest {

    private static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(4, 3, 2, 2, 1), 6, 7); // 12 inputs
    private static final int B = 4;
    private static final double LR = 1e-3;

    /** Parameters in double, in the fast path's layout, plus the dueling vector (v then b_v). */
    private record P(double[] w1, double[] b1, double[] w2, double[] b2, double[] v) {
        P copy() {
            return new P(w1.clone(), b1.clone(), w2.clone(), b2.clone(), v.clone());
        }

        double[] array(int which) {
            return switch (which) {
                case 0 -> w1;
                case 1 -> b1;
                case 2 -> w2;
                case 3 -> b2;
                default -> v;
            };
        }
    }

    private static double[] d(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static double[] hidden(P p, float[] states, int row) {
        int in = SPEC.inputs();
        int h = SPEC.hidden();
        double[] out = new double[h];
        for (int j = 0; j < h; j++) {
            double s = p.b1[j];
            for (int k = 0; k < in; k++) {
                s += states[row * in + k] * p.w1[k * h + j];
            }
            out[j] = Math.max(0, s);
        }
        return out;
    }

    private static double advantage(P p, double[] h, int a) {
        double s = p.b2[a];
        for (int j = 0; j < h.length; j++) {
            s += p.w2[a * h.length + j] * h[j];
        }
        return s;
    }

    private static double q(P p, double[] h, int a, int[] mask, boolean dueling) {
        if (!dueling) {
            return advantage(p, h, a);
        }
        double v = p.v[h.length];
        for (int j = 0; j < h.length; j++) {
            v += p.v[j] * h[j];
        }
        int m = mask == null ? SPEC.actions() : mask.length;
        double mean = 0;
        for (int k = 0; k < m; k++) {
            mean += advantage(p, h, mask == null ? k : mask[k]);
        }
        return advantage(p, h, a) + v - mean / m;
    }

    private static double loss(P p, Batch batch, double[] y, boolean dueling) {
        double l = 0;
        for (int i = 0; i < B; i++) {
            double diff = q(p, hidden(p, batch.states.toDense(), i), batch.actions[i], batch.masks[i], dueling) - y[i];
            l += batch.weights[i] * 0.5 * diff * diff / B;
        }
        return l;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theUpdatesGradientMatchesFiniteDifferences(boolean dueling) {
        Random r = new Random(dueling ? 3 : 4);
        QNetworkWeights init = QNetworkFactory.initialWeights(SPEC, 21);
        Batch batch = new Batch(B, SPEC.inputs());
        DqnUpdateTest.fillRandomStates(batch, r, 0.5f);
        int[][] masks = {{0, 2, 5}, null, {1, 2}, {0, 2, 5}};
        int[] actions = {2, 4, 1, 2}; // a repeated action, and one state with every action valid
        for (int i = 0; i < B; i++) {
            batch.actions[i] = actions[i];
            batch.masks[i] = masks[i];
            batch.nextMasks[i] = masks[(i + 1) % B];
            batch.returns[i] = (float) r.nextGaussian();
            batch.discounts[i] = i == 3 ? 0f : 0.9f;
            batch.weights[i] = 0.5f + 0.5f * r.nextFloat();
        }
        float[] v0 = new float[SPEC.hidden() + 1];
        for (int j = 0; j < v0.length; j++) {
            v0[j] = (float) (0.3 * r.nextGaussian());
        }
        P p0 = new P(d(init.w1()), d(init.b1()), d(init.w2()), d(init.b2()), d(v0));

        // Targets from the initial parameters (online picks over the next mask, target evaluates: both are p0 here).
        double[] y = new double[B];
        for (int i = 0; i < B; i++) {
            double[] hn = hidden(p0, batch.nextStates.toDense(), i);
            int[] m = batch.nextMasks[i];
            int best = -1;
            double bestA = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < (m == null ? SPEC.actions() : m.length); k++) {
                int a = m == null ? k : m[k];
                double adv = advantage(p0, hn, a);
                if (adv > bestA) {
                    bestA = adv;
                    best = a;
                }
            }
            y[i] = batch.returns[i] + batch.discounts[i] * q(p0, hn, best, m, dueling);
        }

        DqnConfig cfg = DqnConfig.builder().inputDropout(0).learningRate(LR).batchSize(B).huberDelta(1e9).maxGradNorm(0.0).targetSyncEvery(1_000_000).nStep(1).optimizer(DqnConfig.Optimizer.SGD).dueling(dueling).build();
        DqnUpdate update = new DqnUpdate(cfg, init);
        DqnUpdate.State s = update.state();
        update.restore(new DqnUpdate.State(s.online(), s.target(), s.adamM(), s.adamV(), v0, v0.clone(), s.adamMV(), s.adamVV(), 0));
        UpdateStats stats = update.update(batch);
        assertThat(stats.loss()).isCloseTo(loss(p0, batch, y, dueling), within(1e-5));

        DqnUpdate.State after = update.state();
        P p1 = new P(d(after.online().w1()), d(after.online().b1()), d(after.online().w2()), d(after.online().b2()), d(after.onlineV()));
        int checked = 0;
        for (int which = 0; which < (dueling ? 5 : 4); which++) {
            double[] before = p0.array(which);
            for (int k = 0; k < before.length; k++) {
                double fast = (before[k] - p1.array(which)[k]) / LR;
                P plus = p0.copy();
                P minus = p0.copy();
                plus.array(which)[k] += 1e-4;
                minus.array(which)[k] -= 1e-4;
                double numeric = (loss(plus, batch, y, dueling) - loss(minus, batch, y, dueling)) / 2e-4;
                assertThat(fast).as("param %d[%d] dueling=%s", which, k, dueling).isCloseTo(numeric, within(2e-3 + 2e-3 * Math.abs(numeric)));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
    }
}
