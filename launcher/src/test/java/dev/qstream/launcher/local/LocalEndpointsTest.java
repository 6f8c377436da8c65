package dev.qstream.launcher.local;

import org.junit.jupiter.api.Test;

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
        String yaml = LocalEndpoints.prometheusConfig(urls);
        assertThat(yaml).contains("scrape_interval: 5s")
                .contains("  - job_name: scorer\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:41001']\n        labels: {service: scorer}\n")
                .contains("  - job_name: actor-1\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:41003']\n        labels: {service: actor}\n")
                .contains("targets: ['127.0.0.1:8080']");
    }
}
