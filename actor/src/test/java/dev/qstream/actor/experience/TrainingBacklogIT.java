package dev.qstream.actor.experience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.actor.ActorFixture;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A scorer that stops consuming makes the training backlog grow; the actor then keeps serving every request but emits
 * only a share of episodes for training, whole, and marks the rest; feedback on a held-back episode is refused with
 * a reason. When the scorer catches up, every episode is emitted again.
 */
class TrainingBacklogIT {

    private static final String PREFIX = "backlog";
    private static final String SCORER_GROUP = PREFIX + "-scorer";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EmbeddedKafkaBroker broker;
    private static ActorFixture actor;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        actor = new ActorFixture(broker.bootstrapServers(), PREFIX, b -> b.trainingBacklog(new TrainingBacklog.Policy(
                30, 0.05, Duration.ofMillis(200), Map.of(SCORER_GROUP, PREFIX + "." + QstreamTopic.TRANSITIONS.suffix()))));
    }

    @AfterAll
    static void stop() {
        actor.close();
        broker.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actor.actor.httpPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static UUID generate() throws Exception {
        HttpResponse<String> r = post("/v1/generate", "{\"prompt\":\"w1 w2 w3\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return UUID.fromString(JSON.readTree(r.body()).get("episodeId").asText());
    }

    /** Commits the "scorer" group at {@code offsets} on the transitions partitions: 0 = stalled, end = caught up. */
    private static void scorerAt(boolean caughtUp) throws Exception {
        try (Admin admin = Admin.create(actor.settings.admin("scorer-stand-in"))) {
            String topic = actor.settings.topic(QstreamTopic.TRANSITIONS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) ->
                    commit.put(tp, new OffsetAndMetadata(caughtUp ? info.offset() : 0)));
            admin.alterConsumerGroupOffsets(SCORER_GROUP, commit).all().get();
        }
    }

    private static double keepShare() {
        return actor.context.registry().get("actor.training.keep.share").gauge().value();
    }

    @Test
    void aStalledScorerBoundsTheBacklogWithoutDroppingARequest() throws Exception {
        Set<UUID> served = new HashSet<>();
        // No scorer has committed yet: it owes the whole topic. Serve until the actor has seen that pass the bound
        // (30 transitions, 3 per episode).
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).until(() -> {
            served.add(generate());
            return keepShare() < 1.0;
        });
        // Then a scorer that joined and stalls at the start of the topic.
        scorerAt(false);
        int before = served.size();
        for (int i = 0; i < 200; i++) {
            served.add(generate()); // every request is answered
        }
        assertThat(served).hasSize(before + 200);
        assertThat(keepShare()).isLessThan(1.0);

        Map<String, List<Transition>> byEpisode = actor.transitions().stream()
                .collect(Collectors.groupingBy(Transition::getEpisodeId));
        assertThat(byEpisode.values()).as("an episode is emitted whole").allSatisfy(steps ->
                assertThat(steps.stream().anyMatch(Transition::getDone)).isTrue());
        Set<UUID> heldBack = served.stream().filter(id -> !byEpisode.containsKey(id.toString())).collect(Collectors.toSet());
        assertThat(heldBack).as("held back while the scorer stalls").isNotEmpty();
        assertThat(served.size() - heldBack.size()).as("some still kept").isPositive();
        double sampledOut = actor.context.registry().get("actor.training.sampled.out").counter().count();
        assertThat(sampledOut).isEqualTo(heldBack.size());

        UUID oneHeldBack = heldBack.iterator().next();
        HttpResponse<String> feedback = post("/v1/feedback", "{\"episodeId\":\"" + oneHeldBack + "\",\"rating\":5}");
        assertThat(feedback.statusCode()).isEqualTo(409);
        JsonNode error = JSON.readTree(feedback.body());
        assertThat(error.get("error").asText()).contains("not kept for training");

        // The scorer catches up: the share returns to 1 and new episodes are all emitted again.
        scorerAt(true);
        await().atMost(Duration.ofSeconds(30)).until(() -> keepShare() >= 1.0);
        List<UUID> after = List.of(generate(), generate(), generate(), generate(), generate());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> emitted = actor.transitions().stream().map(Transition::getEpisodeId).collect(Collectors.toSet());
            assertThat(after).allSatisfy(id -> assertThat(emitted).contains(id.toString()));
        });
    }
}
