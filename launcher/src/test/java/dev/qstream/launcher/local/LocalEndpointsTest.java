package dev.qstream.launcher.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalEndpointsTest {

    @Test
    void theScrapeConfigHasOneJobPerServiceWithItsTarget() {
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("scorer", "http://127.0.0.1:41001/metrics");
        urls.put("actor-1", "http://127.0.0.1:41003/metrics");
        urls.put("ops", "http://127.0.0.1:8080/metrics");
        String yaml = LocalEndpoints.prometheusConfig(urls, Map.of("ops", Path.of("/run/qstream/http-token")));
        assertThat(yaml).contains("scrape_interval: 5s")
                .contains("  - job_name: scorer\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:41001']\n        labels: {service: scorer}\n")
                .contains("  - job_name: actor-1\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:41003']\n        labels: {service: actor}\n")
                .contains("  - job_name: ops\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:8080']\n"
                        + "        labels: {service: ops}\n    authorization:\n      credentials_file: /run/qstream/http-token\n");
        assertThat(yaml.split("authorization:", -1)).as("only the dashboard's job sends the token").hasSize(2);
    }
}
