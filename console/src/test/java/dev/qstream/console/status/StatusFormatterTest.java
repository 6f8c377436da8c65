package dev.qstream.console.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.console.telemetry.DeadLetterLog;
import dev.qstream.console.telemetry.DeploymentHistory;
import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.console.telemetry.InstanceState;
import dev.qstream.console.telemetry.LoopHealth;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatusFormatterTest {

    private static LoopHealth health() {
        return new LoopHealth(100_000, 120, 12L, 65_000L, Map.of("actor-1", 12L, "actor-2", 11L),
                10_243.0, 11.2, 704.0, 50_000.0, 0.0123, 12.5, 20.1, 402.5, 19.8, 2_400, 0.291,
                new LoopHealth.HeldOut(10, 0.41),
                List.of(new GroupLag("qstream-learner", 12, Map.of("qstream.scored", 12L), 4),
                        new GroupLag("qstream-actors", 0, Map.of("qstream.prompts", 0L), 4)), null,
                3, List.of(new DeadLetterLog.Count("qstream.prompts", "DESERIALIZATION", 3)), List.of(),
                List.of(new InstanceState("actor", "actor-1", 99_000, 5_000, 1_000, true),
                        new InstanceState("learner", "learner-1", 60_000, 5_000, 40_000, false)),
                new DeploymentHistory.Serving(true, 11L, 12L, 0.1),
                new DeploymentHistory.Event(70_000, "qnet", "TRIAL_STARTED", 12, 11, 12L, 0.1, "gate", "new version from training",
                        null, null, null, null, null, null));
    }

    @Test
    void textIsOneScreenWithEverySection() {
        String text = StatusFormatter.text(health(), "localhost:9092");
        assertThat(text.lines()).hasSize(9);
        assertThat(text).contains("qstream status · localhost:9092 · topics read over the last 2 min")
                .contains("model        published v12 (35 s ago) · served actor-1 v12, actor-2 v11")
                .contains("deployment   champion v11 · challenger v12 on 10% of episodes · last: TRIAL_STARTED v12 by gate, 30 s ago")
                .contains("learner      updates 10,243 · 11.2 updates/s · 704 samples/s · replay 50,000 · loss 0.0123 · policy lag 12.5 versions")
                .contains("traffic      20.1 episodes/s · 402.5 tokens/s · scored 19.8 episodes/s")
                .contains("held-out ROUGE-L F 0.410 @ v10")
                .contains("lag          qstream-learner 12 · qstream-actors 0")
                .contains("dead letters 3 in the window: qstream.prompts DESERIALIZATION 3")
                .contains("instances    1 up, 1 down: actor/actor-1 up, learner/learner-1 DOWN (silent 40 s)");
    }

    @Test
    void unknownNumbersShowAsDashesNotZeros() {
        LoopHealth empty = new LoopHealth(0, 120, null, null, Map.of(), null, null, null, null, null, null, null, null, null,
                0, null, null, List.of(), "could not read consumer lag: timed out", 0, List.of(), List.of(), List.of(),
                new DeploymentHistory.Serving(false, null, null, 0), null);
        String text = StatusFormatter.text(empty, "k:9092");
        assertThat(text).contains("published none yet · served –").contains("updates – · – updates/s").contains("policy lag – versions")
                .contains("lag          unavailable: could not read consumer lag: timed out")
                .contains("held-out ROUGE-L: none yet").contains("instances    0 up, 0 down")
                .contains("deployment   no gate: every new version serves all traffic");
    }

    @Test
    void jsonCarriesTheSameFactsAndNullsForUnknowns() throws Exception {
        JsonNode json = new ObjectMapper().readTree(StatusFormatter.json(health()));
        assertThat(json.get("publishedVersion").asLong()).isEqualTo(12);
        assertThat(json.get("servedVersions").get("actor-2").asLong()).isEqualTo(11);
        assertThat(json.get("updatesPerSecond").asDouble()).isEqualTo(11.2);
        assertThat(json.get("lag").get(0).get("group").asText()).isEqualTo("qstream-learner");
        assertThat(json.get("lagError").isNull()).isTrue();
        assertThat(json.get("instancesUp").asInt()).isEqualTo(1);
        assertThat(json.get("instancesDown").asInt()).isEqualTo(1);
        assertThat(json.get("instances").get(1).get("up").asBoolean()).isFalse();
        assertThat(json.get("heldOut").get("rougeL").asDouble()).isEqualTo(0.41);
        assertThat(json.get("deployment").get("challenger").asLong()).isEqualTo(12);
        assertThat(json.get("lastDecision").get("action").asText()).isEqualTo("TRIAL_STARTED");
    }
}
