package dev.qstream.evaluator.ope;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The candidate's π, Q̂ and V̂ on a network whose Q-values are known: Q(s, a) = b2[a] whatever the state. */
class EpsilonGreedyCandidateTest {

    private static final int ACTIONS = 8;
    private static final float[] Q = {0f, 1f, 5f, 2f, 5f, 0f, 3f, 1f};
    private static final double EPSILON = 0.2;

    static ModelSnapshot model() {
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(8, 4, 4, 4, 4), 4, ACTIONS);
        return new ModelSnapshot(3, 2, "0".repeat(64), new QNetworkWeights(spec, new float[spec.inputs() * 4],
                new float[4], new float[ACTIONS * 4], Q.clone()));
    }

    private static Transition step(List<Integer> mask, int action) {
        return ScoredEpisodes.episode(UUID.randomUUID(), 3, ExplorationStrategy.EPSILON_GREEDY, List.of(3, 4), mask,
                new int[]{action}, new double[]{0.5}, new double[]{1.0}, 0L).get(0).getTransition();
    }

    @Test
    void greedyActionGetsOneMinusEpsilonPlusItsShareAndTheOthersTheirShare() {
        EpsilonGreedyCandidate candidate = new EpsilonGreedyCandidate(model(), EPSILON);
        List<Integer> mask = List.of(1, 3, 6);
        LoggedStep greedy = candidate.judge(step(mask, 6), 0.25);
        assertThat(greedy.targetProbability()).isCloseTo(1 - EPSILON + EPSILON / 3, within(1e-12));
        assertThat(greedy.targetQ()).isCloseTo(3, within(1e-6));
        assertThat(greedy.targetValue()).isCloseTo((1 - EPSILON) * 3 + EPSILON * (1 + 2 + 3) / 3.0, within(1e-6));
        assertThat(greedy.behaviourProbability()).isEqualTo(0.5);
        assertThat(greedy.reward()).isEqualTo(0.25);
        LoggedStep other = candidate.judge(step(mask, 1), 0.25);
        assertThat(other.targetProbability()).isCloseTo(EPSILON / 3, within(1e-12));
        assertThat(other.targetQ()).isCloseTo(1, within(1e-6));
    }

    @Test
    void aNullMaskIsEveryActionAndTiesGoToTheFirst() {
        EpsilonGreedyCandidate candidate = new EpsilonGreedyCandidate(model(), EPSILON);
        // Actions 2 and 4 tie at 5: the actor takes the first, so the candidate does too.
        assertThat(candidate.judge(step(null, 2), 0).targetProbability()).isCloseTo(1 - EPSILON + EPSILON / ACTIONS, within(1e-12));
        assertThat(candidate.judge(step(null, 4), 0).targetProbability()).isCloseTo(EPSILON / ACTIONS, within(1e-12));
        assertThat(candidate.judge(step(List.of(4, 2), 4), 0).targetProbability()).isCloseTo(1 - EPSILON + EPSILON / 2, within(1e-12));
    }

    @Test
    void actionsOutsideTheModelsActionSpaceMeanAnotherVocabulary() {
        EpsilonGreedyCandidate candidate = new EpsilonGreedyCandidate(model(), EPSILON);
        assertThatThrownBy(() -> candidate.judge(step(List.of(1, 9), 9), 0)).hasMessageContaining("another vocabulary");
        assertThatThrownBy(() -> new EpsilonGreedyCandidate(model(), 1.5)).hasMessageContaining("epsilon");
    }
}
