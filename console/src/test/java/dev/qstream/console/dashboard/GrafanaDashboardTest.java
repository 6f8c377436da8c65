package dev.qstream.console.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/grafana/qstream.json is the page's twin: a panel for every chart of the page, all on the provisioned datasource. */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "qstream.json");

    @Test
    void hasAPanelForEveryChartOfThePageOnTheProvisionedPrometheus() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("uid").asText()).isEqualTo("qstream-loop");
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText());
            if (panel.has("targets")) {
                assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo("prometheus");
                for (JsonNode target : panel.get("targets")) {
                    assertThat(target.get("expr").asText()).as(panel.get("title").asText()).isNotBlank();
                }
            }
        }
        assertThat(titles).containsAll(DashboardCharts.TITLES.values());
    }

    @Test
    void queriesUseThePrometheusNamesOfTheMetersThePageCharts() throws Exception {
        String json = Files.readString(DASHBOARD);
        // Micrometer's Prometheus names: dots become underscores, counters end in _total, timers are in seconds.
        assertThat(json).contains("learner_loss").contains("learner_td_abs").contains("learner_q_mean")
                .contains("rate(learner_updates_total[1m])").contains("learner_samples_per_second")
                .contains("learner_replay_size").contains("actor_model_version").contains("learner_model_version")
                .contains("actor_model_swap_latency_seconds").contains("qstream_deadletters_total")
                .contains("qstream_consumer_lag_records").contains("eval_rougeL_f").contains("scorer_episode_reward_sum");
    }
}
