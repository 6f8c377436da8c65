package dev.qstream.evaluator.ope;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.ScoredTransition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * What the report counts: demonstrations are left out, the candidate's own episodes make the on-policy check, and a
 * range without a complete policy episode is refused with what was seen instead. The model is
 * {@link EpsilonGreedyCandidateTest}'s (version 3; greedy on action 6 over the mask below).
 */
class OffPolicyTallyTest {

    private static final List<Integer> MASK = List.of(1, 3, 6);
    private static final double EPSILON = 0.2;
    private static final double MU_GREEDY = 1 - EPSILON + EPSILON / 3;

    private static List<ScoredTransition> episode(long version, ExplorationStrategy how, int[] actions, double[] rewards) {
        double[] mu = new double[actions.length];
        for (int t = 0; t < actions.length; t++) {
            mu[t] = how == ExplorationStrategy.DEMONSTRATION ? 1 : actions[t] == 6 ? MU_GREEDY : EPSILON / 3;
        }
        return ScoredEpisodes.episode(UUID.randomUUID(), version, how, List.of(3, 4), MASK, actions, mu, rewards, 0L);
    }

    @Test
    void demonstrationsAreLeftOutAndTheCandidatesOwnEpisodesAreTheCheck() {
        OffPolicyTally tally = new OffPolicyTally(new EpsilonGreedyCandidate(EpsilonGreedyCandidateTest.model(), EPSILON),
                new EstimatorSettings(1.0, 10));
        tally.accept(episode(3, ExplorationStrategy.EPSILON_GREEDY, new int[]{6, 6}, new double[]{0.5, 0.5}));
        tally.accept(episode(3, ExplorationStrategy.EPSILON_GREEDY, new int[]{1, 6}, new double[]{0.0, 0.2}));
        tally.accept(episode(2, ExplorationStrategy.EPSILON_GREEDY, new int[]{3, 6}, new double[]{0.0, 0.9}));
        tally.accept(episode(0, ExplorationStrategy.DEMONSTRATION, new int[]{1, 1}, new double[]{1.0, 1.0}));
        OffPolicyReport r = OffPolicyReport.of(tally, new ScoredEpisodeReader.ReadCounts(9, 1, 2), TimeRange.everything());
        assertThat(r.episodesUsed()).isEqualTo(3);
        assertThat(r.demonstrations()).isEqualTo(1);
        assertThat(r.incompleteEpisodes()).isEqualTo(2);
        assertThat(r.badRecords()).isEqualTo(1);
        assertThat(r.behaviour().value()).isCloseTo((1.0 + 0.2 + 0.9) / 3, within(1e-12));
        // The logged μ is the candidate's own ε-greedy: every ratio is 1.
        assertThat(r.perDecisionIs().value()).isCloseTo(r.behaviour().value(), within(1e-12));
        assertThat(r.clipRate()).isZero();
        assertThat(r.candidateOnPolicy()).hasValueSatisfying(e -> {
            assertThat(e.episodes()).isEqualTo(2);
            assertThat(e.value()).isCloseTo((1.0 + 0.2) / 2, within(1e-12));
        });
    }

    @Test
    void aRangeWithoutACompletePolicyEpisodeIsRefusedWithWhatWasSeen() {
        OffPolicyTally tally = new OffPolicyTally(new EpsilonGreedyCandidate(EpsilonGreedyCandidateTest.model(), EPSILON),
                EstimatorSettings.defaults());
        tally.accept(episode(0, ExplorationStrategy.DEMONSTRATION, new int[]{1}, new double[]{1.0}));
        assertThatThrownBy(() -> OffPolicyReport.of(tally, new ScoredEpisodeReader.ReadCounts(4, 1, 2), TimeRange.everything()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no complete policy episode")
                .hasMessageContaining("4 records read, 2 incomplete episodes, 1 demonstrations, 1 bad records");
    }
}
