package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

class AdamOptimizerTest {

    private static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(4, 3, 2, 2, 1), 4, 3);

    private static AdamOptimizer optimizer(double lr, DqnConfig.Optimizer kind) {
        return new AdamOptimizer(DqnConfig.builder().learningRate(lr).batchSize(4).maxGradNorm(0.0).targetSyncEvery(1).nStep(1).optimizer(kind).build(), SPEC);
    }

    @Test
    void twoAdamStepsOnAVectorMatchTheTextbookUpdate() {
        double lr = 0.1;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        AdamOptimizer adam = optimizer(lr, DqnConfig.Optimizer.ADAM);
        float[] p = {1f, -2f, 0.5f};
        float[] m = new float[3];
        float[] v = new float[3];
        float[][] grads = {{0.2f, -0.4f, 0f}, {1f, 0.3f, -0.5f}};
        double[] pe = {1, -2, 0.5};
        double[] me = new double[3];
        double[] ve = new double[3];
        for (int t = 1; t <= 2; t++) {
            float[] g = grads[t - 1];
            adam.step(p, m, v, 0, g, 0, 3, 0.5f, adam.stepSize(t));
            for (int k = 0; k < 3; k++) {
                double gk = 0.5 * g[k]; // scaled by the clipping factor
                me[k] = b1 * me[k] + (1 - b1) * gk;
                ve[k] = b2 * ve[k] + (1 - b2) * gk * gk;
                double mHat = me[k] / (1 - Math.pow(b1, t));
                double vHat = ve[k] / (1 - Math.pow(b2, t));
                pe[k] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        for (int k = 0; k < 3; k++) {
            // ε enters after bias correction in the textbook and before it here: a difference far below 1e-5
            // while √v̂ ≫ ε; a zero gradient must leave its parameter where it was.
            assertThat((double) p[k]).as("p[%d]", k).isCloseTo(pe[k], within(1e-5));
            assertThat((double) m[k]).isCloseTo(me[k], within(1e-6));
            assertThat((double) v[k]).isCloseTo(ve[k], within(1e-8));
        }
        // The first step of Adam moves each parameter with a nonzero gradient by lr, whatever the gradient's size.
        AdamOptimizer fresh = optimizer(lr, DqnConfig.Optimizer.ADAM);
        float[] q = {0f, 0f};
        fresh.step(q, new float[2], new float[2], 0, new float[]{0.1f, -50f}, 0, 2, 1f, fresh.stepSize(1));
        assertThat(q[0]).isCloseTo(-0.1f, within(1e-5f));
        assertThat(q[1]).isCloseTo(0.1f, within(1e-5f));
    }

    @Test
    void sgdStepsByLearningRateTimesTheScaledGradientAtTheGivenOffsets() {
        AdamOptimizer sgd = optimizer(0.5, DqnConfig.Optimizer.SGD);
        float[] p = {1f, 1f, 1f, 1f};
        sgd.step(p, null, null, 1, new float[]{9f, 2f, -4f}, 1, 2, 0.5f, sgd.stepSize(1));
        assertThat(p).containsExactly(1f, 0.5f, 2f, 1f);
    }

    @Test
    void clippingScalesTheGradientDownToTheMaximumNormOnly() {
        assertThat(AdamOptimizer.clipScale(20.0, 10.0)).isEqualTo(0.5f);
        assertThat(AdamOptimizer.clipScale(5.0, 10.0)).isEqualTo(1f);
        assertThat(AdamOptimizer.clipScale(1e9, 0.0)).isEqualTo(1f); // 0 = no clipping
    }

    @Test
    void theLearningRateDecaysLinearlyToItsFinalValueThenHoldsAndAdamsFirstStepFollowsIt() {
        DqnConfig decaying = DqnConfig.builder().learningRate(1e-3).learningRateFinalFraction(0.1).learningRateDecayUpdates(100).build();
        assertThat(decaying.learningRateAt(1)).isEqualTo(1e-3);
        assertThat(decaying.learningRateAt(51)).isCloseTo(5.5e-4, within(1e-12));
        assertThat(decaying.learningRateAt(101)).isCloseTo(1e-4, within(1e-12));
        assertThat(decaying.learningRateAt(10_000)).isCloseTo(1e-4, within(1e-12));
        AdamOptimizer adam = new AdamOptimizer(decaying, SPEC);
        // Bias correction at t = 51 aside, the step is the scheduled α.
        double bc = Math.sqrt(1 - Math.pow(0.999, 51)) / (1 - Math.pow(0.9, 51));
        assertThat((double) adam.stepSize(51)).isCloseTo(5.5e-4 * bc, within(1e-9));

        // A fraction of 1 is a constant rate; the fraction follows a changed rate.
        DqnConfig constant = DqnConfig.builder().learningRate(1e-3).learningRateFinalFraction(1).build();
        assertThat(constant.learningRateAt(1_000_000)).isEqualTo(1e-3);
        assertThat(decaying.toBuilder().learningRate(5e-4).build().learningRateAt(1_000_000)).isCloseTo(5e-5, within(1e-12));
        assertThat(catchThrowable(() -> DqnConfig.builder().learningRateFinalFraction(1.5).build()))
                .as("a final rate above the first is refused").isInstanceOf(IllegalArgumentException.class);
    }
}
