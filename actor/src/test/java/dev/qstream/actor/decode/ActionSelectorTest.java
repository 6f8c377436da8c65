package dev.qstream.actor.decode;

import dev.qstream.actor.decode.Exploration;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ActionSelectorTest {

    /** Upper 0.1% point of chi-square with 4 degrees of freedom. */
    private static final double CHI2_4DF_P001 = 18.467;

    @Test
    void boltzmannFrequenciesPassAChiSquareTestAgainstTheSoftmax() {
        float[] q = {1.0f, 0.5f, 0.0f, -0.5f, 2.0f};
        double temperature = 0.7;
        double[] p = new double[q.length];
        double z = 0;
        for (int i = 0; i < q.length; i++) {
            p[i] = Math.exp(q[i] / temperature);
            z += p[i];
        }
        int n = 100_000;
        int[] counts = new int[q.length];
        SplittableRandom random = new SplittableRandom(42);
        Exploration boltzmann = Exploration.boltzmann(temperature);
        for (int i = 0; i < n; i++) {
            ActionSelector.Choice c = ActionSelector.choose(q, q.length, boltzmann, random);
            counts[c.index()]++;
            assertThat(c.probability()).isCloseTo(p[c.index()] / z, within(1e-9));
        }
        double chi2 = 0;
        for (int i = 0; i < q.length; i++) {
            double expected = n * p[i] / z;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        assertThat(chi2).isLessThan(CHI2_4DF_P001);
    }

    @Test
    void theChiSquareTestWouldCatchAWrongTemperature() {
        float[] q = {1.0f, 0.5f, 0.0f, -0.5f, 2.0f};
        int n = 100_000;
        int[] counts = new int[q.length];
        SplittableRandom random = new SplittableRandom(43);
        for (int i = 0; i < n; i++) {
            counts[ActionSelector.choose(q, q.length, Exploration.boltzmann(1.4), random).index()]++;
        }
        double z = 0;
        double[] p = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            p[i] = Math.exp(q[i] / 0.7);
            z += p[i];
        }
        double chi2 = 0;
        for (int i = 0; i < q.length; i++) {
            double expected = n * p[i] / z;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        assertThat(chi2).isGreaterThan(CHI2_4DF_P001);
    }

    @Test
    void epsilonGreedyReportsTheBehaviourProbabilityOfWhatItChose() {
        float[] q = {0f, 3f, 1f, 2f};
        SplittableRandom random = new SplittableRandom(7);
        int greedy = 0;
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            ActionSelector.Choice c = ActionSelector.choose(q, 4, Exploration.epsilonGreedy(0.2), random);
            if (c.index() == 1) {
                greedy++;
                assertThat(c.probability()).isCloseTo(0.8 + 0.2 / 4, within(1e-12));
            } else {
                assertThat(c.probability()).isCloseTo(0.2 / 4, within(1e-12));
            }
        }
        assertThat((double) greedy / n).isCloseTo(0.85, within(0.01));
        assertThat(ActionSelector.choose(q, 4, Exploration.greedy(), random)).isEqualTo(new ActionSelector.Choice(1, 1.0));
    }
}
