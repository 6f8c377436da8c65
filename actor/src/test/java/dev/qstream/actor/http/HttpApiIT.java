package dev.qstream.actor.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.actor.ActorFixture;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.http.BearerToken;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HTTP API's contract: validation errors are clear 4xx without stack traces, auth is enforced, feedback lands. */
class HttpApiIT {

    private static final String TOKEN = "s3cret-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EmbeddedKafkaBroker broker;
    private static ActorFixture actor;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        actor = new ActorFixture(broker.bootstrapServers(), "http", b -> b.httpExposure(HttpExposure.loopback(Optional.of(BearerToken.of(TOKEN))))
                .maxRequestBytes(4096).rejectUnknownFeedbackEpisodes(true));
    }

    @AfterAll
    static void stop() {
        actor.close();
        broker.close();
    }

    private static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actor.actor.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("dev.qstream.");
        return r;
    }

    private static void expectError(HttpResponse<String> r, int status, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("error").asText()).contains(message);
        assertThat(body.get("status").asInt()).isEqualTo(status);
    }

    @Test
    void theApiListensOnLoopbackOnlyByDefault() throws Exception {
        java.net.InetAddress external = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "this machine has no non-loopback IPv4 address");
        assertThat(call("GET", "/healthz", null, null).statusCode()).isEqualTo(200); // it is up, on loopback
        try (java.net.Socket s = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(
                            new java.net.InetSocketAddress(external, actor.actor.httpPort()), 5_000))
                    .as("connecting on %s", external).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void healthAndReadinessNeedNoToken() throws Exception {
        assertThat(call("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", "/readyz", null, null).statusCode() == 200);
        assertThat(JSON.readTree(call("GET", "/readyz", null, null).body()).get("status").asText()).isEqualTo("ready");
    }

    @Test
    void theApiNeedsTheBearerToken() throws Exception {
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\"}", null), 401, "bearer token");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\"}", "wrong"), 401, "bearer token");
        assertThat(call("POST", "/v1/generate", "{\"prompt\":\"w1\"}", TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void generateValidatesItsInput() throws Exception {
        expectError(call("POST", "/v1/generate", "{not json", TOKEN), 400, "malformed JSON");
        expectError(call("POST", "/v1/generate", "", TOKEN), 400, "empty");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"colour\":\"red\"}", TOKEN), 400, "unknown field 'colour'");
        expectError(call("POST", "/v1/generate", "{\"references\":[\"x\"]}", TOKEN), 400, "'prompt' is required");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"maxTokens\":0}", TOKEN), 400, "'maxTokens' must be in [1, 3]");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"strategy\":\"bogus\"}", TOKEN), 400, "'strategy'");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"temperature\":-1}", TOKEN), 400, "'temperature'");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"maxTokens\":\"many\"}", TOKEN), 400, "'maxTokens' has the wrong type");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"" + "w".repeat(5000) + "\"}", TOKEN), 413, "");
        expectError(call("GET", "/v1/nothing", null, TOKEN), 404, "not found");
        expectError(call("PUT", "/v1/generate", "{\"prompt\":\"w1\"}", TOKEN), 405, "method not allowed: PUT /v1/generate");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"epsilon\":1.5}", TOKEN), 400, "'epsilon' must be in [0, 1]");
        expectError(call("POST", "/v1/generate", "{\"prompt\":\"w1\",\"references\":[null]}", TOKEN), 400, "'references' must hold strings only");
        expectError(call("POST", "/v1/generate", "[1,2]", TOKEN), 400, "expected a JSON object");
    }

    @Test
    void invalidUtf8IsRefusedNotReplaced() throws Exception {
        byte[][] invalid = {
                {(byte) 0xC3, 0x28},                          // a lead byte without its continuation
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},      // an encoded surrogate (CESU-8), not UTF-8
                {(byte) 0xC0, (byte) 0xAF},                   // an overlong '/'
        };
        for (String path : List.of("/v1/generate", "/v1/feedback")) {
            for (byte[] bad : invalid) {
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                body.write("{\"prompt\":\"w1 ".getBytes(StandardCharsets.UTF_8));
                body.write(bad);
                body.write("\"}".getBytes(StandardCharsets.UTF_8));
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actor.actor.httpPort() + path))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
                expectError(r, 400, "request body is not valid UTF-8 (at byte 14)");
            }
        }
        // Valid multi-byte text is of course fine.
        assertThat(call("POST", "/v1/generate", "{\"prompt\":\"w1 caf\u00e9 \u20ac \ud83d\ude00\"}", TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void generateAnswersWithTheEpisodeAndFeedbackAboutItLandsOnTheTopic() throws Exception {
        HttpResponse<String> r = call("POST", "/v1/generate", "{\"prompt\":\"w1 w2\",\"references\":[\"w1 w2\"],\"strategy\":\"boltzmann\",\"temperature\":0.5}", TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        String episode = body.get("episodeId").asText();
        assertThat(body.get("tokens").isArray()).isTrue();
        assertThat(body.get("modelVersion").asLong()).isGreaterThanOrEqualTo(0);

        expectError(call("POST", "/v1/feedback", "{\"episodeId\":\"nope\",\"rating\":3}", TOKEN), 400, "UUID");
        expectError(call("POST", "/v1/feedback", "{\"episodeId\":\"" + episode + "\"}", TOKEN), 400, "exactly one");
        expectError(call("POST", "/v1/feedback", "{\"episodeId\":\"" + episode + "\",\"rating\":3,\"edit\":\"x\"}", TOKEN), 400, "exactly one");
        expectError(call("POST", "/v1/feedback", "{\"episodeId\":\"" + episode + "\",\"rating\":6}", TOKEN), 400, "1 to 5");
        expectError(call("POST", "/v1/feedback", "{\"episodeId\":\"" + episode + "\",\"thumbs\":\"sideways\"}", TOKEN), 400, "'thumbs'");
        expectError(call("POST", "/v1/feedback", "{\"episodeId\":\"" + UUID.randomUUID() + "\",\"rating\":4}", TOKEN), 404, "not produced by this deployment");

        HttpResponse<String> accepted = call("POST", "/v1/feedback", "{\"episodeId\":\"" + episode + "\",\"rating\":5,\"source\":\"tester\"}", TOKEN);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(call("POST", "/v1/feedback", "{\"episodeId\":\"" + episode + "\",\"thumbs\":\"down\"}", TOKEN).statusCode()).isEqualTo(202);
        // An edit that keeps the generated text as it was is full approval.
        HttpResponse<String> edit = call("POST", "/v1/feedback", JSON.createObjectNode().put("episodeId", episode)
                .put("edit", body.get("text").asText()).toString(), TOKEN);
        assertThat(edit.statusCode()).as(edit.body()).isEqualTo(202);
        assertThat(JSON.readTree(edit.body()).get("value").asDouble()).isEqualTo(1.0);

        List<Feedback> feedback = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(actor.settings.consumer("feedback-reader", null))) {
            List<TopicPartition> parts = List.of(new TopicPartition(actor.settings.topic(QstreamTopic.FEEDBACK), 0),
                    new TopicPartition(actor.settings.topic(QstreamTopic.FEEDBACK), 1));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 15_000;
            while (feedback.size() < 3 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(100))) {
                    assertThat(new String(rec.key())).isEqualTo(episode);
                    feedback.add(Serdes.FEEDBACK.decode(rec.value()));
                }
            }
        }
        assertThat(feedback).extracting(Feedback::getKind).containsExactlyInAnyOrder(FeedbackKind.RATING, FeedbackKind.THUMBS, FeedbackKind.EDIT);
        assertThat(feedback).extracting(Feedback::getValue).containsExactlyInAnyOrder(1.0, -1.0, 1.0);
        assertThat(feedback).extracting(f -> f.getEpisodeId().toString()).containsOnly(episode);
    }
}
