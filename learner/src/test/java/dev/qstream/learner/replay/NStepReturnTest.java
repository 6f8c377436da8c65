package dev.qstream.learner.replay;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NStepReturnTest {

    @Test
    void aRewardChangeAtStepSMovesTheReturnOfStepTByGammaToTheDistanceInsideTheWindowOnly() {
        NStepReturn r = new NStepReturn(3, 0.5);
        assertThat(r.change(4, 4, 2.0)).isEqualTo(2f);     // its own reward: γ⁰
        assertThat(r.change(3, 4, 2.0)).isEqualTo(1f);     // γ¹
        assertThat(r.change(2, 4, 2.0)).isEqualTo(0.5f);   // γ²
        assertThat(r.change(1, 4, 2.0)).isZero();          // s = t + n: outside the 3-step window
        assertThat(r.change(5, 4, 2.0)).isZero();          // an earlier step is never in a later return
        assertThat(r.includes(2, 4)).isTrue();
        assertThat(r.includes(1, 4)).isFalse();
        assertThat(r.bootstrapDiscount()).isEqualTo(0.125f);
    }

    @Test
    void aCorrectionMovesEachReturnExactlyAsAssemblingWithTheCorrectedRewardWould() {
        // The assembler and replay's corrections share the weights: changing the last reward after assembly gives
        // the returns that assembling with the changed reward gives.
        double gamma = 0.9;
        int[] actions = {10, 11, 12, 13, 14};
        double[] rewards = {1, 2, 3, 4, 5};
        double[] corrected = {1, 2, 3, 4, 5 + 0.75};
        List<List<Integer>> masks = List.of(List.of(10), List.of(11), List.of(12), List.of(13), List.of(14));
        UUID id = UUID.randomUUID();
        NStepAssembler before = new NStepAssembler(3, gamma, 10);
        NStepAssembler after = new NStepAssembler(3, gamma, 10);
        var original = ScoredSteps.episode(id, new int[]{5}, actions, rewards, masks);
        var changed = ScoredSteps.episode(id, new int[]{5}, actions, corrected, masks);
        int checked = 0;
        for (int t = 0; t < 5; t++) {
            List<StoredTransition> assembled = before.add(original.get(t), 0, t);
            List<StoredTransition> expected = after.add(changed.get(t), 0, t);
            assertThat(assembled).hasSameSizeAs(expected);
            for (int k = 0; k < assembled.size(); k++) {
                StoredTransition s = assembled.get(k);
                float moved = s.reward() + before.nStepReturn().change(s.step(), 4, 0.75);
                assertThat(expected.get(k).step()).isEqualTo(s.step());
                assertThat((double) moved).as("step %d", s.step()).isCloseTo(expected.get(k).reward(), within(1e-5));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(5);
    }
}
