package dev.qstream.console.telemetry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class InstanceLivenessTest {

    @Test
    void anInstanceIsDownOnceSilentForThreeOfItsIntervals() {
        InstanceLiveness liveness = new InstanceLiveness();
        liveness.heartbeat("actor", "actor-1", 10_000, 5_000);
        liveness.heartbeat("learner", "learner-1", 10_000, 1_000);

        // Just under three intervals of silence: still up; at three: down. Each judged by its own interval.
        List<InstanceState> at24 = liveness.states(24_999);
        assertThat(at24).extracting(InstanceState::instanceId, InstanceState::up)
                .containsExactly(tuple("actor-1", true),
                        tuple("learner-1", false));
        assertThat(liveness.states(25_000).get(0).up()).isFalse();
        assertThat(liveness.states(25_000).get(0).silentMillis()).isEqualTo(15_000);

        // A new heartbeat brings it back.
        liveness.heartbeat("actor", "actor-1", 26_000, 5_000);
        assertThat(liveness.states(27_000).get(0).up()).isTrue();
    }

    @Test
    void anOlderHeartbeatReadLateNeverMakesAnInstanceLookFresher() {
        InstanceLiveness liveness = new InstanceLiveness();
        liveness.heartbeat("scorer", "scorer-1", 50_000, 5_000);
        liveness.heartbeat("scorer", "scorer-1", 20_000, 5_000);
        assertThat(liveness.states(60_000).get(0).lastHeartbeatMillis()).isEqualTo(50_000);
    }

    @Test
    void aHeartbeatWithoutAnIntervalUsesTheReportersDefault() {
        InstanceLiveness liveness = new InstanceLiveness();
        liveness.heartbeat("ops", "ops-1", 0, 0);
        assertThat(liveness.states(14_999).get(0).up()).isTrue();
        assertThat(liveness.states(15_000).get(0).up()).isFalse();
    }
}
