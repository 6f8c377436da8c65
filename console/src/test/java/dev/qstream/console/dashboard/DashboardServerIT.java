package dev.qstream.console.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.console.telemetry.TestTopics;
import dev.qstream.runtime.http.BearerToken;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.MetricKind;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

import static dev.qstream.console.telemetry.TelemetryFixtures.episode;
import static dev.qstream.console.telemetry.TelemetryFixtures.heartbeat;
import static dev.qstream.console.telemetry.TelemetryFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard server on the embedded broker, without the services: what it reads, what it dead-letters (once,
 * across restarts), and its HTTP surface (page, WebJar, server-sent events, feedback, explorer, Prometheus).
 */
class DashboardServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafkaBroker broker;
    private static KafkaSettings settings;
    private static DashboardServer dashboard;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final UUID EPISODE = UUID.randomUUID();
    private static final byte[] JUNK = "not avro at all".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        settings = TestTopics.create(broker.bootstrapServers(), "dash");
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("dash-writer"))) {
            String metrics = settings.topic(QstreamTopic.METRICS);
            for (int i = 0; i < 3; i++) {
                for (var e : List.of(heartbeat("learner", "learner-1", now - 3_000 + i * 1_000, 1_000),
                        metric("learner", "learner-1", "learner.loss", MetricKind.GAUGE, 0.3 - i * 0.1, now - 3_000 + i * 1_000))) {
                    producer.send(new ProducerRecord<>(metrics, key("learner"), Serdes.METRIC_EVENT.encode(e)));
                }
            }
            // A metric keyed by the wrong source: the metrics topic is keyed by source.
            producer.send(new ProducerRecord<>(metrics, key("scorer"), Serdes.METRIC_EVENT.encode(
                    metric("learner", "learner-1", "learner.q.mean", MetricKind.GAUGE, 1, now))));
            producer.send(new ProducerRecord<>(metrics, key("junk"), JUNK));
            String generations = settings.topic(QstreamTopic.GENERATIONS);
            producer.send(new ProducerRecord<>(generations, key(EPISODE.toString()), Serdes.EPISODE.encode(episode(EPISODE, 3, 0.5, now))));
            producer.send(new ProducerRecord<>(generations, key("junk"), JUNK));
            // Not the dashboard's to dead-letter: the actors own the model topic; the DLQ is the end of the line.
            producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.MODEL), key("junk"), JUNK));
            producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.DLQ), key("junk"), JUNK));
        }
        dashboard = startDashboard();
    }

    private static DashboardServer startDashboard() {
        return DashboardServer.start(settings, new DashboardServer.Options(HttpExposure.loopback(Optional.empty()), 0,
                Duration.ofMinutes(10), Duration.ofMillis(500), "ops-it", false));
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        broker.close();
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Dead letters written by dashboards (consumer "ops/..."), read from the DLQ's beginning. */
    private static List<DeadLetter> dashboardDeadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("dlq-check", null))) {
            TopicPartition p = new TopicPartition(settings.topic(QstreamTopic.DLQ), 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long end = consumer.endOffsets(List.of(p)).get(p);
            while (consumer.position(p) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        DeadLetter d = Serdes.DEAD_LETTER.decode(r.value());
                        if (d.getConsumer().startsWith("ops/")) {
                            letters.add(d);
                        }
                    } catch (RuntimeException e) {
                        // the junk this test put on the DLQ itself
                    }
                }
            }
        }
        return letters;
    }

    @Test
    void readsTheTopicsAndDeadLettersBadRecordsOfItsOwnTopicsOnceAcrossRestarts() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.caughtUp());
        JsonNode snapshot = JSON.readTree(get("/api/snapshot").body());
        assertThat(snapshot.at("/charts/learnerLoss/lines/0/values")).hasSize(3);
        assertThat(snapshot.at("/charts/learnerLoss/lines/0/label").asText()).isEqualTo("loss learner-1");
        assertThat(snapshot.at("/charts/learnerQ/lines")).as("the wrongly keyed sample is not charted").isEmpty();
        assertThat(snapshot.at("/charts/rewardByVersion/xs/0").asDouble()).isEqualTo(3.0);
        assertThat(snapshot.at("/generations/0/episodeId").asText()).isEqualTo(EPISODE.toString());
        assertThat(snapshot.at("/health/instances/0/instanceId").asText()).isEqualTo("learner-1");
        assertThat(snapshot.at("/metricNames").toString()).contains("learner.loss");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(dashboardDeadLetters()).hasSize(3));
        List<DeadLetter> letters = dashboardDeadLetters();
        assertThat(letters).extracting(d -> d.getSourceTopic() + " " + d.getReason()).containsExactlyInAnyOrder(
                "dash.metrics DESERIALIZATION", "dash.metrics VALIDATION", "dash.generations DESERIALIZATION");
        assertThat(letters).allSatisfy(d -> assertThat(d.getConsumer()).isEqualTo("ops/ops-it"));
        assertThat(letters).filteredOn(d -> d.getReason() == DeadLetterReason.VALIDATION).singleElement()
                .satisfies(d -> assertThat(d.getError()).contains("does not match"));

        // A restarted dashboard re-reads the same history for its charts but does not dead-letter it again.
        dashboard.close();
        dashboard = startDashboard();
        await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.caughtUp());
        Thread.sleep(1_500);
        assertThat(dashboardDeadLetters()).hasSize(3);
        assertThat(JSON.readTree(get("/api/snapshot").body()).at("/charts/learnerLoss/lines/0/values")).hasSize(3);
    }

    @Test
    void feedbackFromThePageLandsOnTheFeedbackTopicAndBadRequestsGetA400() throws Exception {
        HttpResponse<String> bad = post("/api/feedback", "{\"episodeId\": \"not-a-uuid\", \"value\": 1}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("is not a UUID");
        assertThat(post("/api/feedback", "{oops").statusCode()).isEqualTo(400);

        HttpResponse<String> ok = post("/api/feedback", "{\"episodeId\": \"" + EPISODE + "\", \"value\": -1}");
        assertThat(ok.statusCode()).isEqualTo(202);
        String feedbackId = JSON.readTree(ok.body()).get("feedbackId").asText();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("feedback-check", null))) {
            List<TopicPartition> partitions = consumer.partitionsFor(settings.topic(QstreamTopic.FEEDBACK)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<Feedback> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(Serdes.FEEDBACK.decode(r.value())));
                return !seen.isEmpty();
            });
            assertThat(seen).singleElement().satisfies(f -> {
                assertThat(f.getFeedbackId().toString()).isEqualTo(feedbackId);
                assertThat(f.getEpisodeId()).isEqualTo(EPISODE);
                assertThat(f.getValue()).isEqualTo(-1.0);
                assertThat(f.getSource()).isEqualTo("dashboard");
            });
        }
        assertThat(get("/metrics").body()).contains("dashboard_feedback_sent_total{instance=\"ops-it\",service=\"ops\"} 1.0");
    }

    @Test
    void servesThePageUPlotFromItsWebJarAndAnyMetricThroughTheExplorer() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        String uplot = page.body().replaceAll("(?s).*<script src=\"(/webjars/uplot/[^\"]+)\".*", "$1");
        assertThat(uplot).matches("/webjars/uplot/[0-9.]+/dist/uPlot\\.iife\\.min\\.js");
        HttpResponse<String> js = get(uplot);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).contains("uPlot");
        assertThat(get("/static/dashboard.js").body()).contains("new EventSource('/api/events')");
        assertThat(get("/healthz").body()).isEqualTo("ok\n");

        await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.telemetry().metrics().names().contains("learner.loss"));
        assertThat(get("/api/explore").statusCode()).isEqualTo(400);
        assertThat(get("/api/explore?name=no.such.metric").statusCode()).isEqualTo(404);
        JsonNode chart = JSON.readTree(get("/api/explore?name=learner.loss").body());
        assertThat(chart.get("lines").get(0).get("values")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(get("/no/such/page").statusCode()).isEqualTo(404);
    }

    @Test
    void pagesGetSnapshotsPushedAsServerSentEvents() throws Exception {
        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "api/events"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() -> {
            List<String> data = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                boolean snapshot = false;
                while (data.size() < 2 && (line = in.readLine()) != null) {
                    if (line.equals("event: " + SsePublisher.EVENT)) {
                        snapshot = true;
                    } else if (snapshot && line.startsWith("data: ")) {
                        data.add(line.substring(6));
                        snapshot = false;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return data;
        });
        List<String> data = events.get(20, TimeUnit.SECONDS); // the first at once, the second from the ticker
        assertThat(data).hasSize(2).allSatisfy(d -> assertThat(JSON.readTree(d).has("charts")).isTrue());
    }

    @Test
    void aTokenGuardsEveryRouteButHealthAndUnknownEpisodesCanBeRefused() throws Exception {
        String secret = "dashboard-token-0123456789";
        try (DashboardServer secured = DashboardServer.start(settings, new DashboardServer.Options(
                HttpExposure.loopback(Optional.of(BearerToken.of(secret))), 0, Duration.ofMinutes(10), Duration.ofMillis(500),
                "ops-secured", true))) {
            await().atMost(Duration.ofSeconds(30)).until(secured::caughtUp);
            HttpClient noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            BiFunction<String, String, HttpRequest.Builder> request = (path, auth) -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(secured.url() + path.substring(1)));
                return auth == null ? b : b.header("Authorization", auth);
            };
            for (String path : List.of("/", "/api/snapshot", "/metrics", "/api/explore?name=learner.loss")) {
                HttpResponse<String> r = noRedirects.send(request.apply(path, null).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer");
                assertThat(JSON.readTree(r.body()).get("error").asText()).contains("missing or invalid token");
                assertThat(noRedirects.send(request.apply(path, "Bearer wrong-token-0123456789").build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(401);
                assertThat(noRedirects.send(request.apply(path, "Bearer " + secret).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(200);
            }
            assertThat(noRedirects.send(request.apply("/healthz", null).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);

            // A browser: /?token= once sets an HttpOnly cookie and redirects to the bare page; the cookie then suffices.
            HttpResponse<String> wrongQuery = noRedirects.send(request.apply("/?token=nope", null).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrongQuery.statusCode()).isEqualTo(401);
            HttpResponse<String> login = noRedirects.send(request.apply("/?token=" + secret, null).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(303);
            assertThat(login.headers().firstValue("Location")).contains("/");
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
            HttpResponse<String> page = noRedirects.send(request.apply("/", null).header("Cookie", cookie.split(";")[0]).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<html");

            // Feedback: only for episodes seen on the generations topic; oversized bodies are refused.
            Function<String, HttpResponse<String>> feedback = body -> {
                try {
                    return noRedirects.send(request.apply("/api/feedback", "Bearer " + secret).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            UUID stranger = UUID.randomUUID();
            HttpResponse<String> unknown = feedback.apply("{\"episodeId\":\"" + stranger + "\",\"value\":1}");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("was not produced by this deployment");
            assertThat(feedback.apply("{\"episodeId\":\"" + EPISODE + "\",\"value\":1}").statusCode()).isEqualTo(202);
            HttpResponse<String> huge = feedback.apply("{\"episodeId\":\"" + "x".repeat(20_000) + "\",\"value\":1}");
            assertThat(huge.statusCode()).isEqualTo(413);
            assertThat(huge.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }
}
