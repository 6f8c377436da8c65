package dev.qstream.evaluator.ope;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * PDIS and DR against a problem whose answer is known exactly ({@link TwoStepProblem}): they recover a different
 * policy's value within their intervals, the intervals cover it about as often as they claim, DR is the less noisy
 * when its model is good, both agree with the on-policy mean when the candidate is the behaviour policy, and the
 * clip does what the docs say. Seeds are fixed, so every number here is the same on every run.
 */
class OffPolicyEstimatorsTest {

    private static final TwoStepProblem PROBLEM = new TwoStepProblem(0.9);
    private static final TwoStepProblem.Policy BEHAVIOUR = TwoStepProblem.Policy.rotating(0.5, 0.3, 0.2);
    private static final TwoStepProblem.Policy CANDIDATE = TwoStepProblem.Policy.rotating(0.1, 0.2, 0.7);
    /** Per-step ratios here are at most 0.7/0.2 = 3.5, so no clip of 10 ever cuts one: the estimators are unbiased. */
    private static final EstimatorSettings SETTINGS = new EstimatorSettings(0.9, EstimatorSettings.DEFAULT_MAX_RATIO);
    private static final int EPISODES = 2000;
    private static final int SEEDS = 20;

    @Test
    void pdisAndDrRecoverAnotherPolicysKnownValueAndTheirIntervalsCoverIt() {
        double truth = PROBLEM.trueValue(CANDIDATE);
        assertThat(truth).as("the candidate differs from the behaviour policy")
                .isNotCloseTo(PROBLEM.trueValue(BEHAVIOUR), within(0.02));
        int pdisCovers = 0;
        int drCovers = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            List<LoggedEpisode> episodes = PROBLEM.log(BEHAVIOUR, CANDIDATE, true, EPISODES, seed);
            Estimate pdis = new PerDecisionImportanceSampling(SETTINGS).estimate(episodes);
            Estimate dr = new DoublyRobust(SETTINGS).estimate(episodes);
            assertThat(Math.abs(pdis.value() - truth)).as("PDIS, seed %d", seed).isLessThan(4 * pdis.standardError());
            assertThat(Math.abs(dr.value() - truth)).as("DR, seed %d", seed).isLessThan(4 * dr.standardError());
            pdisCovers += pdis.covers(truth) ? 1 : 0;
            drCovers += dr.covers(truth) ? 1 : 0;
        }
        // A 95% interval misses about one seed in twenty; missing four or more of twenty has probability 1.6%.
        assertThat(pdisCovers).isGreaterThanOrEqualTo(SEEDS - 3);
        assertThat(drCovers).isGreaterThanOrEqualTo(SEEDS - 3);
    }

    @Test
    void drIsLessNoisyThanPdisWhenItsModelIsGoodAndIsPdisWhenItsModelIsZero() {
        List<LoggedEpisode> good = PROBLEM.log(BEHAVIOUR, CANDIDATE, true, EPISODES, 42);
        Estimate pdis = new PerDecisionImportanceSampling(SETTINGS).estimate(good);
        Estimate dr = new DoublyRobust(SETTINGS).estimate(good);
        assertThat(dr.standardError()).isLessThan(0.5 * pdis.standardError());

        List<LoggedEpisode> blind = PROBLEM.log(BEHAVIOUR, CANDIDATE, false, EPISODES, 42);
        assertThat(new DoublyRobust(SETTINGS).estimate(blind).value())
                .isCloseTo(new PerDecisionImportanceSampling(SETTINGS).estimate(blind).value(), within(1e-12));
    }

    @Test
    void withTheBehaviourPolicyAsCandidateBothAgreeWithTheOnPolicyMean() {
        List<LoggedEpisode> episodes = PROBLEM.log(BEHAVIOUR, BEHAVIOUR, true, EPISODES, 3);
        Estimate onPolicy = new BehaviourReturn(SETTINGS).estimate(episodes);
        Estimate pdis = new PerDecisionImportanceSampling(SETTINGS).estimate(episodes);
        Estimate dr = new DoublyRobust(SETTINGS).estimate(episodes);
        // Every ratio is exactly 1: PDIS is the on-policy mean itself, with the full sample behind it.
        assertThat(pdis.value()).isCloseTo(onPolicy.value(), within(1e-12));
        assertThat(pdis.effectiveSampleSize()).isCloseTo(EPISODES, within(1e-6));
        // DR adds the model terms V̂ − Q̂, zero in expectation under π = μ: the two agree within the on-policy mean's
        // interval, and with a good model DR is the tighter of the two around the true value.
        assertThat(onPolicy.covers(dr.value())).isTrue();
        double truth = PROBLEM.trueValue(BEHAVIOUR);
        assertThat(onPolicy.covers(truth)).isTrue();
        assertThat(dr.covers(truth)).isTrue();
        assertThat(dr.standardError()).isLessThan(onPolicy.standardError());
    }

    @Test
    void theClipCapsEachStepsRatioAndCountsInTheEffectiveSampleSize() {
        // Step 0: π/μ = 0.9/0.1 = 9, cut to 2; step 1: π/μ = 1. γ = 1.
        LoggedEpisode episode = new LoggedEpisode(List.of(
                new LoggedStep(0.1, 1.0, 0.9, 0.5, 0.4),
                new LoggedStep(0.5, 2.0, 0.5, 1.5, 1.0)));
        EstimatorSettings clipped = new EstimatorSettings(1.0, 2.0);
        EstimatorSettings unclipped = new EstimatorSettings(1.0, Double.POSITIVE_INFINITY);
        assertThat(new PerDecisionImportanceSampling(clipped).episodeValue(episode)).isCloseTo(2 * 1.0 + 2 * 1 * 2.0, within(1e-12));
        assertThat(new PerDecisionImportanceSampling(unclipped).episodeValue(episode)).isCloseTo(9 * 1.0 + 9 * 1 * 2.0, within(1e-12));
        // DR: [ρ0 (r0 − Q0) + V0] + [ρ0ρ1 (r1 − Q1) + ρ0 V1] with ρ0 = 2, ρ1 = 1.
        assertThat(new DoublyRobust(clipped).episodeValue(episode))
                .isCloseTo(2 * (1.0 - 0.5) + 0.4 + 2 * (2.0 - 1.5) + 2 * 1.0, within(1e-12));
        assertThat(clipped.finalWeight(episode)).isEqualTo(2.0);
        assertThat(clipped.clips(episode.steps().get(0))).isTrue();
        assertThat(clipped.clips(episode.steps().get(1))).isFalse();
        assertThatThrownBy(() -> new EstimatorSettings(1.0, 0.5)).hasMessageContaining("clip must be >= 1");
    }

    @Test
    void aTightClipBiasesTheEstimateAndItsIntervalDoesNotShowIt() {
        // The candidate favours actions the behaviour policy takes least (ratios up to 3.5); with non-negative
        // rewards, cutting ratios at 1.5 can only lower the weights of exactly the episodes that tell its story:
        // the estimate falls, the interval narrows around the wrong value, and the effective sample size rises.
        List<LoggedEpisode> episodes = PROBLEM.log(BEHAVIOUR, CANDIDATE, true, EPISODES, 11);
        double truth = PROBLEM.trueValue(CANDIDATE);
        Estimate tight = new PerDecisionImportanceSampling(new EstimatorSettings(0.9, 1.5)).estimate(episodes);
        Estimate free = new PerDecisionImportanceSampling(new EstimatorSettings(0.9, Double.POSITIVE_INFINITY)).estimate(episodes);
        assertThat(tight.value()).isLessThan(free.value()).isLessThan(truth);
        assertThat(tight.covers(truth)).as("the interval does not account for the clip's bias").isFalse();
        assertThat(tight.effectiveSampleSize()).isGreaterThan(free.effectiveSampleSize());
    }

    @Test
    void intervalAndEffectiveSampleSizeFollowTheirFormulas() {
        Estimate e = Estimate.of(new double[]{1, 2, 3, 4}, new double[]{1, 1, 1, 1});
        double se = Math.sqrt(5.0 / 3.0) / 2; // s² = 5/3, n = 4
        assertThat(e.value()).isEqualTo(2.5);
        assertThat(e.standardError()).isCloseTo(se, within(1e-12));
        assertThat(e.ciLow()).isCloseTo(2.5 - 1.959963984540054 * se, within(1e-12));
        assertThat(e.ciHigh()).isCloseTo(2.5 + 1.959963984540054 * se, within(1e-12));
        assertThat(e.effectiveSampleSize()).isEqualTo(4.0);
        assertThat(Estimate.of(new double[4], new double[]{100, 1e-3, 1e-3, 1e-3}).effectiveSampleSize()).isCloseTo(1.0, within(1e-4));
        assertThat(Estimate.of(new double[2], new double[2]).effectiveSampleSize()).as("the candidate took no logged action").isZero();
        assertThat(Estimate.of(new double[]{5}, new double[]{1}).standardError()).isNaN();
    }
}
