package dev.qstream.learner.deploy;

import dev.qstream.schemas.avro.DeploymentEvidence;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PromotionGateTest {

    private static final GateConfig CONFIG = new GateConfig(0.1, 50, 400, 0.95, 0.02, 0);

    /** n rewards drawn around {@code mean} with standard deviation {@code sd} (seeded). */
    private static ArmStats arm(int n, double mean, double sd, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ArmStats a = new ArmStats();
        for (int i = 0; i < n; i++) {
            double u1 = random.nextDouble(), u2 = random.nextDouble();
            a.add(mean + sd * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
        }
        return a;
    }

    @Test
    void nothingIsDecidedBeforeBothSidesHaveTheMinimumOfEpisodes() {
        PromotionGate gate = new PromotionGate(CONFIG);
        assertThat(gate.evaluate(arm(49, 0.6, 0.1, 1), arm(400, 0.0, 0.01, 2)).outcome()).isEqualTo(PromotionGate.Outcome.WAIT);
        assertThat(gate.evaluate(arm(400, 0.6, 0.1, 1), arm(49, 0.0, 0.01, 2)).outcome()).isEqualTo(PromotionGate.Outcome.WAIT);
    }

    @Test
    void aClearlyWorseChallengerIsRolledBackAtTheMinimum() {
        PromotionGate.Verdict v = new PromotionGate(CONFIG).evaluate(arm(50, 0.6, 0.15, 1), arm(50, 0.05, 0.05, 2));
        assertThat(v.outcome()).isEqualTo(PromotionGate.Outcome.ROLL_BACK);
        assertThat(v.evidence().getUpperBound()).isNegative();
        assertThat(v.reason()).contains("worse");
    }

    @Test
    void anEquallyGoodChallengerIsPromotedOnceTheIntervalClearsTheMargin() {
        PromotionGate gate = new PromotionGate(new GateConfig(0.1, 50, 5_000, 0.95, 0.02, 0));
        // Equal means, sd 0.1: at 50 episodes a side the interval is ±0.039, wider than the margin: wait.
        assertThat(gate.evaluate(arm(50, 0.6, 0.1, 1), arm(50, 0.6, 0.1, 2)).outcome()).isEqualTo(PromotionGate.Outcome.WAIT);
        // At 1,000 a side it is ±0.009: not worse by more than 0.02 with 95% confidence.
        PromotionGate.Verdict v = gate.evaluate(arm(1_000, 0.6, 0.1, 1), arm(1_000, 0.6, 0.1, 2));
        assertThat(v.outcome()).isEqualTo(PromotionGate.Outcome.PROMOTE);
        assertThat(v.evidence().getLowerBound()).isGreaterThanOrEqualTo(-CONFIG.margin());
    }

    @Test
    void atTheCapAnUndecidedTrialGoesByItsPointEstimate() {
        PromotionGate gate = new PromotionGate(CONFIG);
        // sd 0.3 keeps the interval wide (±0.042 at 400 a side) so neither bound rule fires.
        PromotionGate.Verdict slightlyWorse = gate.evaluate(arm(400, 0.60, 0.3, 1), arm(400, 0.575, 0.3, 1));
        PromotionGate.Verdict aboutEqual = gate.evaluate(arm(400, 0.60, 0.3, 1), arm(400, 0.59, 0.3, 1));
        assertThat(slightlyWorse.outcome()).isEqualTo(PromotionGate.Outcome.ROLL_BACK);
        assertThat(slightlyWorse.reason()).contains("episode cap");
        assertThat(aboutEqual.outcome()).isEqualTo(PromotionGate.Outcome.PROMOTE);
        assertThat(gate.evaluate(arm(400, 0.60, 0.3, 1), arm(399, 0.575, 0.3, 1)).outcome()).isEqualTo(PromotionGate.Outcome.WAIT);
    }

    @Test
    void theEvidenceIsWelchsIntervalOnTheDifference() {
        ArmStats champion = new ArmStats();
        ArmStats challenger = new ArmStats();
        for (double r : new double[]{0.2, 0.4, 0.6}) {
            champion.add(r);          // mean 0.4, variance 0.04
        }
        for (double r : new double[]{0.5, 0.7}) {
            challenger.add(r);        // mean 0.6, variance 0.02
        }
        DeploymentEvidence e = new PromotionGate(new GateConfig(0.1, 2, 10, 0.95, 0.0, 0)).evaluate(champion, challenger).evidence();
        double se = Math.sqrt(0.02 / 2 + 0.04 / 3);
        assertThat(e.getDifference()).isCloseTo(0.2, within(1e-12));
        assertThat(e.getLowerBound()).isCloseTo(0.2 - 1.959964 * se, within(1e-5));
        assertThat(e.getUpperBound()).isCloseTo(0.2 + 1.959964 * se, within(1e-5));
        assertThat(e.getChampionStdReward()).isCloseTo(0.2, within(1e-12));
        assertThat(e.getChallengerEpisodes()).isEqualTo(2);
    }

    @Test
    void badSettingsAreRefusedWithTheirValue() {
        assertThatThrownBy(() -> new GateConfig(1.0, 50, 400, 0.95, 0.02, 0)).hasMessageContaining("canary fraction");
        assertThatThrownBy(() -> new GateConfig(0.1, 50, 40, 0.95, 0.02, 0)).hasMessageContaining("maxEpisodes");
        assertThatThrownBy(() -> new GateConfig(0.1, 50, 400, 0.3, 0.02, 0)).hasMessageContaining("confidence");
    }
}
