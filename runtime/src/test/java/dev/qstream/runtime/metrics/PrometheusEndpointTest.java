package dev.qstream.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrometheusEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheRegistryInPrometheusTextFormatOnAFreePort() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", "learner", "instance", "learner-1");
        Counter.builder("learner.updates").register(registry).increment(42);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, registry::scrape)) {
            assertThat(endpoint.port()).isPositive();
            assertThat(endpoint.url()).isEqualTo("http://127.0.0.1:" + endpoint.port() + "/metrics");

            HttpResponse<String> ok = send("GET", endpoint.url());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type")).contains(PrometheusEndpoint.CONTENT_TYPE);
            assertThat(ok.body()).contains("learner_updates_total{instance=\"learner-1\",service=\"learner\"} 42.0");

            // A scrape reflects the meters as they are now, not as they were at start.
            registry.counter("learner.updates").increment();
            assertThat(send("GET", endpoint.url()).body()).contains("} 43.0");
        }
    }

    @Test
    void answersOtherPathsAndMethodsWithClearErrors() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, () -> "x 1\n")) {
            String base = "http://127.0.0.1:" + endpoint.port();
            HttpResponse<String> notFound = send("GET", base + "/");
            assertThat(notFound.statusCode()).isEqualTo(404);
            assertThat(notFound.body()).contains("only /metrics");
            HttpResponse<String> post = send("POST", base + "/metrics");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        }
    }

    @Test
    void aFailingScrapeIsA500WithoutAStackTrace() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("registry closed");
        })) {
            HttpResponse<String> r = send("GET", endpoint.url());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).isEqualTo("scrape failed: IllegalStateException\n");
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> PrometheusEndpoint.start("127.0.0.1", taken.getLocalPort(), () -> ""))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThatThrownBy(() -> PrometheusEndpoint.start("127.0.0.1", 70_000, () -> ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 65535]");
    }
}
