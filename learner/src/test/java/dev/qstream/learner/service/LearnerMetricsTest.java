package dev.qstream.learner.service;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.UpdateStats;
import dev.qstream.learner.replay.PolicyLag;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StaleTransitions;
import dev.qstream.learner.replay.StalenessBound;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** What the learner publishes about policy lag: meters, and the training metrics of each model version. */
class LearnerMetricsTest {

    private static final StateEncoder ENCODER = new StateEncoder(new EncoderSpec(4, 3, 3, 2, 2));

    private static StoredTransition chosenBy(int version) {
        return new StoredTransition(0, version, 0, new short[]{1}, new short[0], 3, 0f, 0.9f, new short[]{3}, null,
                null, -1, 0, version, false, version);
    }

    private static ReplayBuffer replayOfVersionsOneToTen(StaleTransitions treatment) {
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.uniform(16), new StalenessBound(3, treatment));
        for (int v = 1; v <= 10; v++) {
            replay.add(chosenBy(v));
        }
        return replay;
    }

    @Test
    void staleTransitionsAreCountedByAction() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReplayBuffer dropping = replayOfVersionsOneToTen(StaleTransitions.DROP);
        new LearnerMetrics(registry, dropping);
        dropping.advanceVersion(10);
        dropping.add(chosenBy(2));
        assertThat(registry.get("learner.stale.transitions").tag("action", "drop").functionCounter().count())
                .as("six in replay, one on arrival").isEqualTo(7);
        assertThat(registry.get("learner.stale.transitions").tag("action", "downweight").functionCounter().count()).isZero();

        SimpleMeterRegistry other = new SimpleMeterRegistry();
        ReplayBuffer downweighting = replayOfVersionsOneToTen(StaleTransitions.DOWNWEIGHT);
        new LearnerMetrics(other, downweighting);
        downweighting.advanceVersion(10);
        Batch batch = new Batch(32, ENCODER.inputSize());
        downweighting.sample(batch, new SplittableRandom(1), ENCODER, 0);
        long stale = Arrays.stream(batch.policyLags).filter(lag -> lag > 3).count();
        assertThat(other.get("learner.stale.transitions").tag("action", "downweight").functionCounter().count()).isEqualTo(stale);
    }

    @Test
    void theLastBatchsLagIsAGauge() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LearnerMetrics metrics = new LearnerMetrics(registry, new ReplayBuffer(ReplayConfig.uniform(4)));
        assertThat(registry.get("learner.policy.lag.mean").gauge().value()).isZero();
        metrics.policyLag(new PolicyLag(4, 10, 6));
        assertThat(registry.get("learner.policy.lag.mean").gauge().value()).isEqualTo(2.5);
        assertThat(registry.get("learner.policy.lag.max").gauge().value()).isEqualTo(6);
    }

    @Test
    void everyPublishedVersionCarriesThePolicyLagSinceThePreviousOne() {
        UpdateStats stats = new UpdateStats(0.25, 1.5, 0.5, 2, new float[0]);
        PolicyLag sincePublish = new PolicyLag(2, 3, 2).plus(new PolicyLag(2, 9, 7));
        assertThat(Trainer.trainingMetrics(300, stats, 1_000, sincePublish))
                .containsEntry("updates", 300.0).containsEntry("loss", 0.25).containsEntry("replaySize", 1_000.0)
                .containsEntry("policyLagMean", 3.0).containsEntry("policyLagMax", 7.0);
    }
}
