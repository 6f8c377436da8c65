package dev.qstream.learner.replay;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReplayBufferTest {

    private static final StateEncoder ENCODER = new StateEncoder(new EncoderSpec(4, 3, 3, 2, 2));

    static StoredTransition transition(long episode, int step, float reward) {
        return new StoredTransition(0, episode, step, new short[]{1}, new short[step], 3, reward, 0.9f,
                new short[]{3}, null, null, -1, 0, episode * 100 + step);
    }

    @Test
    void sumTreeSamplesInProportionToPriority() {
        SumTree tree = new SumTree(5);
        double[] p = {1, 2, 3, 4, 0};
        for (int i = 0; i < p.length; i++) {
            tree.set(i, p[i]);
        }
        assertThat(tree.total()).isEqualTo(10.0);
        int[] counts = new int[5];
        SplittableRandom r = new SplittableRandom(3);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts[tree.find(r.nextDouble() * tree.total())]++;
        }
        for (int i = 0; i < 5; i++) {
            double expected = n * p[i] / 10.0;
            double sigma = Math.sqrt(n * (p[i] / 10.0) * (1 - p[i] / 10.0));
            assertThat((double) counts[i]).as("slot %d", i).isCloseTo(expected, within(5 * sigma + 1));
        }
        assertThat(counts[4]).isZero();
    }

    @Test
    void ringOverwritesTheOldestAndReportsSizes() {
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.uniform(3));
        for (int i = 0; i < 5; i++) {
            replay.add(transition(i, 0, i));
        }
        assertThat(replay.size()).isEqualTo(3);
        assertThat(replay.inserted()).isEqualTo(5);
        assertThat(replay.snapshot().transitions()).extracting(StoredTransition::reward).containsExactly(2f, 3f, 4f);
    }

    @Test
    void prioritizedSamplingWeightsAreImportanceCorrectedAndNormalised() {
        ReplayConfig config = new ReplayConfig(4, true, 1.0, 1.0, 1, 1e-9);
        ReplayBuffer replay = new ReplayBuffer(config);
        for (int i = 0; i < 4; i++) {
            replay.add(transition(i, 0, i));
        }
        Batch batch = new Batch(4, ENCODER.inputSize());
        replay.sample(batch, new SplittableRandom(1), ENCODER, 0);
        // New transitions all enter at the max priority: equal weights.
        for (float w : batch.weights) {
            assertThat(w).isEqualTo(1f);
        }
        // Give slot 0 priority 3 and the rest 1 (α = 1): P = 3/6 and 1/6; w ∝ (4·P)^-1 → 0.5 and 1.5, normalised by 1.5.
        for (int i = 0; i < 4; i++) {
            batch.slots[i] = i;
            batch.generations[i] = i;
        }
        replay.updatePriorities(batch, new float[]{3f, 1f, 1f, 1f});
        replay.sample(batch, new SplittableRandom(2), ENCODER, 0);
        for (int i = 0; i < 4; i++) {
            float expected = batch.slots[i] == 0 ? 1f / 3 : 1f;
            assertThat(batch.weights[i]).isCloseTo(expected, within(1e-5f));
        }
    }

    @Test
    void priorityUpdatesForOverwrittenSlotsAreIgnored() {
        ReplayBuffer replay = new ReplayBuffer(new ReplayConfig(2, true, 1.0, 1.0, 1, 1e-9));
        replay.add(transition(0, 0, 0));
        replay.add(transition(1, 0, 0));
        Batch batch = new Batch(1, ENCODER.inputSize());
        batch.slots[0] = 0;
        batch.generations[0] = 0;
        replay.add(transition(2, 0, 0)); // overwrites slot 0
        replay.updatePriorities(batch, new float[]{1000f});
        for (int i = 0; i < 20; i++) {
            replay.sample(batch, new SplittableRandom(i), ENCODER, 0);
            assertThat(batch.weights[0]).isEqualTo(1f); // both still at the initial max priority
        }
    }

    @Test
    void correctionsChangeTheReturnsThatIncludeTheLastStep() {
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.uniform(10));
        for (int step = 0; step < 5; step++) {
            replay.add(transition(7, step, 1f));
        }
        replay.add(transition(8, 4, 1f)); // another episode, untouched
        int changed = replay.applyCorrection(0, 7, 4, 2.0, new NStepReturn(3, 0.5));
        assertThat(changed).isEqualTo(3); // steps 2, 3, 4 sum r_4 into their 3-step returns
        StoredTransition[] items = replay.snapshot().transitions();
        assertThat(items[0].reward()).isEqualTo(1f);
        assertThat(items[1].reward()).isEqualTo(1f);
        assertThat(items[2].reward()).isEqualTo(1f + 0.25f * 2f);
        assertThat(items[3].reward()).isEqualTo(1f + 0.5f * 2f);
        assertThat(items[4].reward()).isEqualTo(1f + 2f);
        assertThat(items[5].reward()).isEqualTo(1f);
    }

    @Test
    void snapshotAndRestoreKeepOrderPrioritiesAndTheFilter() {
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.prioritized(4));
        for (int i = 0; i < 6; i++) {
            replay.add(transition(i, 0, i));
        }
        ReplayBuffer.Snapshot filtered = replay.snapshot(t -> t.reward() != 4f);
        assertThat(filtered.transitions()).extracting(StoredTransition::reward).containsExactly(2f, 3f, 5f);
        assertThat(filtered.inserted()).isEqualTo(5);
        ReplayBuffer restored = new ReplayBuffer(ReplayConfig.prioritized(4));
        restored.restore(filtered);
        assertThat(restored.size()).isEqualTo(3);
        assertThat(restored.inserted()).isEqualTo(5);
        assertThat(restored.snapshot().transitions()).extracting(StoredTransition::reward).containsExactly(2f, 3f, 5f);
    }
}
