package dev.qstream.learner.replay;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The staleness bound: versions 1..10 in replay, the learner at version 10, K = 3. */
class ReplayStalenessTest {

    private static final StateEncoder ENCODER = new StateEncoder(new EncoderSpec(4, 3, 3, 2, 2));
    private static final int K = 3;

    /** Ten transitions chosen by versions 1..10 (version v in slot v − 1), and one demonstration. */
    private static ReplayBuffer replayOfVersions(ReplayConfig config, StaleTransitions treatment, boolean demonstration) {
        ReplayBuffer replay = new ReplayBuffer(config, new StalenessBound(K, treatment));
        for (int v = 1; v <= 10; v++) {
            replay.add(PolicyLagTest.chosenBy(v, false));
        }
        if (demonstration) {
            replay.add(PolicyLagTest.chosenBy(0, true));
        }
        return replay;
    }

    @Test
    void dropNeverYieldsATransitionOlderThanKVersionsUniformOrPrioritized() {
        for (ReplayConfig config : new ReplayConfig[]{ReplayConfig.uniform(16), ReplayConfig.prioritized(16)}) {
            ReplayBuffer replay = replayOfVersions(config, StaleTransitions.DROP, false);
            assertThat(replay.advanceVersion(10)).as("versions 1..6 dropped").isEqualTo(6);
            assertThat(replay.size()).isEqualTo(4);
            assertThat(replay.staleDropped()).isEqualTo(6);
            Batch batch = new Batch(32, ENCODER.inputSize());
            boolean[] seen = new boolean[11];
            for (int draw = 0; draw < 200; draw++) {
                replay.sample(batch, new SplittableRandom(draw), ENCODER, draw);
                for (int i = 0; i < batch.size; i++) {
                    assertThat(batch.policyLags[i]).isBetween(0L, (long) K);
                    seen[(int) (10 - batch.policyLags[i])] = true;
                }
            }
            assertThat(seen).as(config.prioritized() ? "prioritized" : "uniform")
                    .containsExactly(false, false, false, false, false, false, false, true, true, true, true);
        }
    }

    @Test
    void dropAlsoRefusesATransitionThatArrivesStaleAndKeepsDemonstrationsWhateverTheirAge() {
        ReplayBuffer replay = replayOfVersions(ReplayConfig.prioritized(16), StaleTransitions.DROP, true);
        replay.advanceVersion(10);
        assertThat(replay.size()).as("versions 7..10 and the demonstration").isEqualTo(5);
        assertThat(replay.add(PolicyLagTest.chosenBy(6, false))).as("a slow actor's old step").isEqualTo(-1);
        assertThat(replay.add(PolicyLagTest.chosenBy(7, false))).isNotNegative();
        assertThat(replay.staleDropped()).isEqualTo(7);
        replay.advanceVersion(1_000);
        assertThat(replay.snapshot().transitions()).extracting(StoredTransition::demonstration).containsExactly(true);
        Batch batch = new Batch(8, ENCODER.inputSize());
        replay.sample(batch, new SplittableRandom(1), ENCODER, 0);
        for (int i = 0; i < batch.size; i++) {
            assertThat(batch.demonstrations[i]).isTrue();
            assertThat(batch.weights[i]).isEqualTo(1f);
        }
    }

    @Test
    void everythingDroppedLeavesNothingToSampleUntilFreshDataArrives() {
        ReplayBuffer replay = replayOfVersions(ReplayConfig.uniform(16), StaleTransitions.DROP, false);
        replay.advanceVersion(100);
        assertThat(replay.size()).isZero();
        Batch batch = new Batch(2, ENCODER.inputSize());
        assertThatThrownBy(() -> replay.sample(batch, new SplittableRandom(1), ENCODER, 0))
                .isInstanceOf(IllegalStateException.class);
        replay.add(PolicyLagTest.chosenBy(100, false));
        replay.sample(batch, new SplittableRandom(1), ENCODER, 0);
        assertThat(batch.policyLags).containsOnly(0L);
    }

    @Test
    void droppedSlotsStayOutOfSnapshotsAndPriorityUpdatesWithoutUncountingWhatWasInserted() {
        ReplayBuffer replay = replayOfVersions(ReplayConfig.prioritized(16), StaleTransitions.DROP, false);
        Batch batch = new Batch(64, ENCODER.inputSize());
        replay.sample(batch, new SplittableRandom(3), ENCODER, 0); // rows of every version, before the drop
        replay.advanceVersion(10);
        float[] huge = new float[batch.size];
        Arrays.fill(huge, 1e6f);
        replay.updatePriorities(batch, huge);
        ReplayBuffer.Snapshot snapshot = replay.snapshot();
        assertThat(snapshot.transitions()).extracting(StoredTransition::policyVersion).containsExactly(7, 8, 9, 10);
        assertThat(snapshot.inserted()).as("dropped ones were read; a restore must not read them again").isEqualTo(10);
        for (int draw = 0; draw < 50; draw++) {
            replay.sample(batch, new SplittableRandom(draw), ENCODER, 0);
            assertThat(batch.policyLags).as("a late priority update revived no dropped slot").containsOnly(0L, 1L, 2L, 3L);
        }
        ReplayBuffer restored = new ReplayBuffer(ReplayConfig.prioritized(16), new StalenessBound(K, StaleTransitions.DROP));
        restored.restore(snapshot);
        assertThat(restored.size()).isEqualTo(4);
        assertThat(restored.inserted()).isEqualTo(10);
    }

    @Test
    void downweightKeepsStaleRowsAndHalvesTheirWeightPerVersionBeyondK() {
        // Uniform: every weight starts at 1. Prioritized with equal priorities: the normalised weights are all 1 too.
        for (ReplayConfig config : new ReplayConfig[]{ReplayConfig.uniform(16), ReplayConfig.prioritized(16)}) {
            ReplayBuffer replay = replayOfVersions(config, StaleTransitions.DOWNWEIGHT, true);
            assertThat(replay.advanceVersion(10)).isZero();
            assertThat(replay.size()).isEqualTo(11);
            Batch batch = new Batch(64, ENCODER.inputSize());
            long stale = 0;
            for (int draw = 0; draw < 20; draw++) {
                replay.sample(batch, new SplittableRandom(draw), ENCODER, 0);
                for (int i = 0; i < batch.size; i++) {
                    long lag = batch.policyLags[i];
                    float expected = batch.demonstrations[i] || lag <= K ? 1f : (float) Math.pow(0.5, lag - K);
                    assertThat(batch.weights[i]).as("lag %d", lag).isEqualTo(expected);
                    if (!batch.demonstrations[i] && lag > K) {
                        stale++;
                    }
                }
            }
            assertThat(stale).isPositive();
            assertThat(replay.staleDownweighted()).as("every stale row sampled, each time").isEqualTo(stale);
            assertThat(replay.staleDropped()).isZero();
        }
    }

    @Test
    void theWeightRuleAndTheUnboundedDefault() {
        StalenessBound bound = new StalenessBound(K, StaleTransitions.DOWNWEIGHT);
        assertThat(bound.weightFactor(0)).isEqualTo(1f);
        assertThat(bound.weightFactor(3)).isEqualTo(1f);
        assertThat(bound.weightFactor(4)).isEqualTo(0.5f);
        assertThat(bound.weightFactor(13)).isEqualTo(1f / 1024);
        assertThat(StalenessBound.UNBOUNDED.bounded()).isFalse();
        assertThat(StalenessBound.UNBOUNDED.weightFactor(1_000)).isEqualTo(1f);
        assertThatThrownBy(() -> new StalenessBound(-1, StaleTransitions.DROP)).isInstanceOf(IllegalArgumentException.class);

        ReplayBuffer unbounded = new ReplayBuffer(ReplayConfig.uniform(16));
        for (int v = 1; v <= 10; v++) {
            unbounded.add(PolicyLagTest.chosenBy(v, false));
        }
        assertThat(unbounded.advanceVersion(10)).isZero();
        Batch batch = new Batch(64, ENCODER.inputSize());
        unbounded.sample(batch, new SplittableRandom(5), ENCODER, 0);
        assertThat(batch.weights).containsOnly(1f);
        assertThat(Arrays.stream(batch.policyLags).max().orElseThrow()).as("lag is measured without a bound too").isGreaterThan(K);
    }
}
