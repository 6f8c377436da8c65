package dev.qstream.actor.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.actor.ActorFixture;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.schemas.avro.Transition;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker goes away for 20 s under load: the actor keeps answering from its current model and buffers; after
 * the broker returns, every episode it answered is on the topic. Configured to require Kafka it answers 503 while
 * the broker is away; with a small buffer it reports back-pressure with a clear 503 instead of growing memory.
 */
class BrokerOutageIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> generate(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/generate"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"w1 w2 w3\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Done episodes on the transitions topic: episode id → steps seen. */
    private static Map<String, Integer> completeEpisodes(ActorFixture f) {
        Map<String, Integer> steps = new HashMap<>();
        Set<String> done = new HashSet<>();
        for (Transition t : f.transitions()) {
            steps.merge(t.getEpisodeId(), 1, Integer::sum);
            if (t.getDone()) {
                done.add(t.getEpisodeId());
            }
        }
        steps.keySet().retainAll(done);
        return steps;
    }

    @Test
    void theActorKeepsServingThroughABrokerOutageAndLosesNothingItAnswered() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             ActorFixture f = new ActorFixture(broker.bootstrapServers(), "outage", b -> { })) {
            f.publish(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> f.actor.servedModelVersion() == 3);
            assertThat(generate(f.actor.httpPort()).statusCode()).isEqualTo(200);
            Set<String> answered = new HashSet<>();
            broker.stop();
            long end = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < end) {
                HttpResponse<String> r = generate(f.actor.httpPort());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).get("modelVersion").asLong()).isEqualTo(3);
                answered.add(JSON.readTree(r.body()).get("episodeId").asText());
                Thread.sleep(250);
            }
            broker.restart();
            long restarted = System.nanoTime();
            assertThat(answered).hasSizeGreaterThan(20);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> completeEpisodes(f).keySet().containsAll(answered));
            System.out.printf("broker outage: %d episodes answered during 20 s without Kafka, all on the topic %.1f s after it returned%n",
                    answered.size(), (System.nanoTime() - restarted) / 1e9);
        }
    }

    @Test
    void configuredToRequireKafkaItAnswers503WhileTheBrokerIsAway() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             ActorFixture f = new ActorFixture(broker.bootstrapServers(), "required", b -> b.requireKafka(true))) {
            assertThat(generate(f.actor.httpPort()).statusCode()).isEqualTo(200);
            broker.stop();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                HttpResponse<String> r = generate(f.actor.httpPort());
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("configured to require it");
            });
            broker.restart();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> generate(f.actor.httpPort()).statusCode() == 200);
        }
    }

    @Test
    void aFullProducerBufferIsReportedAsBackPressureNotMemoryGrowth() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             ActorFixture f = new ActorFixture(broker.bootstrapServers(), "pressure", b -> b.maxTokens(3).producerQueueRecords(200))) {
            Set<String> answered = new HashSet<>();
            broker.stop();
            HttpResponse<String> refused = null;
            for (int i = 0; i < 2_000 && refused == null; i++) {
                HttpResponse<String> r = generate(f.actor.httpPort());
                if (r.statusCode() == 503) {
                    refused = r;
                } else {
                    assertThat(r.statusCode()).isEqualTo(200);
                    answered.add(JSON.readTree(r.body()).get("episodeId").asText());
                }
            }
            assertThat(refused).as("a full 200-record queue must refuse new work").isNotNull();
            assertThat(refused.body()).contains("Kafka is unavailable").contains("buffer is full");
            broker.restart();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> completeEpisodes(f).keySet().containsAll(answered));
        }
    }
}
