package dev.qstream.learner.replay;

import dev.qstream.schemas.avro.ScoredTransition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NStepAssemblerTest {

    private static final double GAMMA = 0.5;
    private final UUID id = UUID.randomUUID();
    private final int[] actions = {10, 11, 12, 13, 14};
    private final double[] rewards = {1, 2, 3, 4, 5};
    private final List<List<Integer>> masks = List.of(List.of(10, 20), List.of(11, 21), List.of(12, 22), List.of(13, 23), List.of(14, 24));

    private List<StoredTransition> feed(NStepAssembler a, List<ScoredTransition> steps) {
        List<StoredTransition> out = new ArrayList<>();
        long offset = 100;
        for (ScoredTransition s : steps) {
            out.addAll(a.add(s, 1, offset++));
        }
        return out;
    }

    @Test
    void threeStepReturnsBootstrapInsideTheEpisodeAndTruncateAtItsEnd() {
        List<StoredTransition> out = feed(new NStepAssembler(3, GAMMA, 100),
                ScoredSteps.episode(id, new int[]{5}, actions, rewards, masks));
        assertThat(out).extracting(StoredTransition::step).containsExactly(0, 1, 2, 3, 4);
        // t=0: 1 + .5·2 + .25·3 = 2.75, bootstraps from s_3 with γ³ = .125 over the mask of step 3
        StoredTransition t0 = out.get(0);
        assertThat((double) t0.reward()).isCloseTo(2.75, within(1e-6));
        assertThat((double) t0.discount()).isCloseTo(0.125, within(1e-7));
        assertThat(t0.bootstrapPrefixIds()).containsExactly(10, 11, 12);
        assertThat(t0.nextMaskIds()).containsExactly(13, 23);
        // t=2: 3 + .5·4 + .25·5 = 6.25, and the episode ends within 3 steps: no bootstrap
        StoredTransition t2 = out.get(2);
        assertThat((double) t2.reward()).isCloseTo(6.25, within(1e-6));
        assertThat(t2.discount()).isZero();
        assertThat(t2.nextMask()).isNull();
        // t=4 (the last step): just its reward, terminal
        assertThat((double) out.get(4).reward()).isEqualTo(5.0);
        assertThat(out.get(4).discount()).isZero();
        assertThat(out.get(4).sourceOffset()).isEqualTo(104);
    }

    @Test
    void oneStepReturnsAreTheRewardsAndTheNextMask() {
        List<StoredTransition> out = feed(new NStepAssembler(1, GAMMA, 100),
                ScoredSteps.episode(id, new int[]{5}, actions, rewards, masks));
        assertThat(out).hasSize(5);
        assertThat((double) out.get(1).reward()).isEqualTo(2.0);
        assertThat((double) out.get(1).discount()).isEqualTo(0.5);
        assertThat(out.get(1).bootstrapPrefixIds()).containsExactly(10, 11);
        assertThat(out.get(1).nextMaskIds()).containsExactly(12, 22);
    }

    @Test
    void emitsAsSoonAsNStepsAreKnownAndHoldsTheRestWithItsOffsets() {
        NStepAssembler a = new NStepAssembler(2, GAMMA, 100);
        List<ScoredTransition> steps = ScoredSteps.episode(id, new int[]{5}, actions, rewards, masks);
        assertThat(a.add(steps.get(0), 3, 7)).isEmpty();
        assertThat(a.minPendingOffsets()).containsEntry(3, 7L);
        assertThat(a.add(steps.get(1), 3, 8)).extracting(StoredTransition::step).containsExactly(0);
        assertThat(a.minPendingOffsets()).containsEntry(3, 8L);
        assertThat(a.add(steps.get(1), 3, 9)).isEmpty(); // a duplicate
        assertThat(a.add(steps.get(2), 3, 10)).extracting(StoredTransition::step).containsExactly(1);
    }

    @Test
    void aLearnerResumingMidEpisodeStartsWhereItsReadingStarts() {
        NStepAssembler a = new NStepAssembler(1, GAMMA, 100);
        List<ScoredTransition> steps = ScoredSteps.episode(id, new int[]{5}, actions, rewards, masks);
        List<StoredTransition> out = new ArrayList<>();
        for (int t = 2; t < 5; t++) {
            out.addAll(a.add(steps.get(t), 0, t));
        }
        assertThat(out).extracting(StoredTransition::step).containsExactly(2, 3, 4);
        assertThat(a.pendingEpisodes()).isZero();
    }

    @Test
    void boundsTheNumberOfUnfinishedEpisodes() {
        NStepAssembler a = new NStepAssembler(3, GAMMA, 2);
        for (int i = 0; i < 3; i++) {
            a.add(ScoredSteps.episode(UUID.randomUUID(), new int[]{5}, actions, rewards, masks).get(0), 0, i);
        }
        assertThat(a.pendingEpisodes()).isEqualTo(2);
        assertThat(a.droppedEpisodes()).isEqualTo(1);
    }
}
