package dev.qstream.learner.replay;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.schemas.avro.ScoredTransition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyLagTest {

    static StoredTransition chosenBy(int version, boolean demonstration) {
        return new StoredTransition(0, version, 0, new short[]{1}, new short[0], 3, 0f, 0.9f, new short[]{3}, null,
                null, -1, 0, version, demonstration, version);
    }

    @Test
    void lagIsTheModelVersionMinusTheBehaviourVersionNeverNegativeAndNoneForDemonstrations() {
        assertThat(PolicyLag.of(chosenBy(7, false), 10)).isEqualTo(3);
        assertThat(PolicyLag.of(chosenBy(10, false), 10)).isZero();
        assertThat(PolicyLag.of(chosenBy(12, false), 10)).as("a version the learner has not reached").isZero();
        assertThat(PolicyLag.of(chosenBy(0, true), 10)).as("no policy chose a demonstration").isZero();
    }

    @Test
    void aBatchsLagCountsItsPolicyRowsOnlyAndAddsUpOverBatches() {
        Batch batch = new Batch(4, 1);
        long[] lags = {2, 5, 40, 1};
        boolean[] demonstrated = {false, false, true, false};
        for (int i = 0; i < 4; i++) {
            batch.policyLags[i] = lags[i];
            batch.demonstrations[i] = demonstrated[i];
        }
        PolicyLag lag = PolicyLag.of(batch);
        assertThat(lag).isEqualTo(new PolicyLag(3, 8, 5));
        assertThat(lag.mean()).isEqualTo(8 / 3.0);
        PolicyLag both = lag.plus(new PolicyLag(1, 9, 9));
        assertThat(both.mean()).isEqualTo(17 / 4.0);
        assertThat(both.max()).isEqualTo(9);
        assertThat(PolicyLag.NONE.mean()).as("nothing sampled yet, or only demonstrations").isZero();
    }

    @Test
    void nStepTransitionsCarryTheOldestVersionOfTheStepsTheirReturnSums() {
        UUID id = UUID.randomUUID();
        List<ScoredTransition> steps = ScoredSteps.episode(id, new int[]{5}, new int[]{10, 11, 12, 13},
                new double[]{1, 1, 1, 1}, null);
        long[] versions = {4, 4, 5, 6}; // the actor swapped models mid-episode
        for (int t = 0; t < steps.size(); t++) {
            steps.get(t).getTransition().setPolicyVersion(versions[t]);
        }
        NStepAssembler assembler = new NStepAssembler(2, 0.9, 10);
        List<StoredTransition> out = new ArrayList<>();
        for (int t = 0; t < steps.size(); t++) {
            out.addAll(assembler.add(steps.get(t), 0, t));
        }
        assertThat(out).extracting(StoredTransition::policyVersion).containsExactly(4, 4, 5, 6);
    }
}
