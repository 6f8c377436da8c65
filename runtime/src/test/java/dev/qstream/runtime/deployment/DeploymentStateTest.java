package dev.qstream.runtime.deployment;

import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeploymentStateTest {

    static DeploymentDecision decision(DeploymentAction action, long subject, long champion, Long challenger, double fraction) {
        return DeploymentDecision.newBuilder().setModel("qnet").setAction(action).setSubjectVersion(subject)
                .setChampionVersion(champion).setChallengerVersion(challenger).setCanaryFraction(fraction)
                .setDecidedBy("gate").setReason("test").setEvidence(null).setDecidedAt(Instant.ofEpochMilli(1)).build();
    }

    @Test
    void withoutDecisionsTheNewestServesEverything() {
        assertThat(DeploymentState.FOLLOW_LATEST.followsLatest()).isTrue();
        assertThat(DeploymentState.FOLLOW_LATEST.champion()).isEmpty();
        assertThat(DeploymentState.FOLLOW_LATEST.routesToChallenger(UUID.randomUUID().toString())).isFalse();
    }

    @Test
    void aTrialRoutesItsCanaryShareToTheChallengerAndTheEndOfATrialRoutesNothing() {
        DeploymentState trial = DeploymentState.after(decision(DeploymentAction.TRIAL_STARTED, 8, 5, 8L, 0.25));
        assertThat(trial.champion()).hasValue(5);
        assertThat(trial.challenger()).hasValue(8);
        int routed = 0;
        for (int i = 0; i < 20_000; i++) {
            String id = new UUID(i * 7919L, i).toString();
            boolean toChallenger = trial.routesToChallenger(id);
            assertThat(toChallenger).isEqualTo(CanaryAssignment.inCanary(id, 0.25));
            routed += toChallenger ? 1 : 0;
        }
        assertThat(routed / 20_000.0).isBetween(0.23, 0.27);

        DeploymentState rolledBack = DeploymentState.after(decision(DeploymentAction.ROLLED_BACK, 8, 5, null, 0.25));
        assertThat(rolledBack.challenger()).isEmpty();
        assertThat(rolledBack.canaryFraction()).isZero();
        assertThat(rolledBack.champion()).hasValue(5);
        assertThat(rolledBack.sameRouting(trial)).isFalse();
        assertThat(rolledBack.sameRouting(DeploymentState.after(decision(DeploymentAction.PROMOTED, 5, 5, null, 0)))).isTrue();
    }

    @Test
    void followLatestEndsTheGatesHoldAndAnUnknownActionIsRefused() {
        DeploymentState off = DeploymentState.after(decision(DeploymentAction.FOLLOW_LATEST, 5, 5, null, 0));
        assertThat(off.followsLatest()).isTrue();
        assertThat(off.lastDecision()).isNotNull();
        assertThatThrownBy(() -> DeploymentState.after(decision(DeploymentAction.UNKNOWN, 5, 5, null, 0)))
                .hasMessageContaining("upgrade");
    }
}
