package dev.qstream.tasks.simulator;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeScores;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The traffic simulator and the simulated rater against a real (embedded) broker. */
class SimulatorIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static KafkaSettings settings(String prefix) {
        KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(prefix, 1, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        return settings;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaSettings settings, QstreamTopic topic, int expected,
                                                                Duration within) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        var props = settings.consumer("simulator-it-" + UUID.randomUUID(), "simulator-it");
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(settings.topic(topic)));
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline && all.size() < expected) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            // A little longer, so that records past the expected count would show up too.
            consumer.poll(Duration.ofSeconds(1)).forEach(all::add);
        }
        return all;
    }

    @Test
    void repeatSendsExactlyThatManyPassesInFileOrderWithoutShuffle() {
        KafkaSettings settings = settings("sim-order");
        List<TaskPrompt> prompts = DataToTextTask.generate(3, 5);
        try (TrafficSimulator simulator = new TrafficSimulator(settings, "t", prompts, 200, 1, false, 2).start()) {
            await().atMost(Duration.ofSeconds(20)).until(simulator::finished);
            assertThat(simulator.sent()).isEqualTo(10);
        }
        List<String> ids = readAll(settings, QstreamTopic.PROMPTS, 10, Duration.ofSeconds(20)).stream()
                .map(r -> Serdes.PROMPT.decode(r.value())).map(Prompt::getPromptId).toList();
        List<String> expected = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            prompts.forEach(p -> expected.add(p.id()));
        }
        assertThat(ids).containsExactlyElementsOf(expected);
    }

    @Test
    void shuffledPassesEachCoverEveryPromptOnce() {
        KafkaSettings settings = settings("sim-shuffle");
        List<TaskPrompt> prompts = DataToTextTask.generate(3, 20);
        try (TrafficSimulator simulator = new TrafficSimulator(settings, "t", prompts, 500, 1, true, 3).start()) {
            await().atMost(Duration.ofSeconds(20)).until(simulator::finished);
        }
        List<String> ids = readAll(settings, QstreamTopic.PROMPTS, 60, Duration.ofSeconds(20)).stream()
                .map(r -> Serdes.PROMPT.decode(r.value())).map(Prompt::getPromptId).toList();
        assertThat(ids).hasSize(60);
        List<String> fileOrder = prompts.stream().map(TaskPrompt::id).toList();
        for (int pass = 0; pass < 3; pass++) {
            assertThat(ids.subList(pass * 20, pass * 20 + 20)).containsExactlyInAnyOrderElementsOf(fileOrder);
        }
        assertThat(ids.subList(0, 20)).as("shuffled").isNotEqualTo(fileOrder);
    }

    @Test
    void theRaterRatesAShareOfNewGenerationsWithDelayAndPrefersCloseShortTexts() {
        KafkaSettings settings = settings("sim-rater");
        List<TaskPrompt> task = DataToTextTask.generate(3, 40);
        Map<UUID, Boolean> good = new HashMap<>();
        SimulatedRater.Taste taste = new SimulatedRater.Taste(0.5, Duration.ofMillis(300), 0.1, 5);
        try (SimulatedRater rater = new SimulatedRater(settings, task, taste).start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("simulator-it"))) {
            await().atMost(Duration.ofSeconds(30)).until(rater::ready); // it reads from the end: let it join first
            String topic = settings.topic(QstreamTopic.GENERATIONS);
            for (int round = 0; round < 10; round++) {
                for (TaskPrompt p : task) {
                    boolean isGood = round % 2 == 0;
                    String text = isGood ? p.references().get(0) : (p.references().get(0) + " ").repeat(4).trim();
                    UUID id = UUID.randomUUID();
                    good.put(id, isGood);
                    producer.send(new ProducerRecord<>(topic, id.toString().getBytes(StandardCharsets.UTF_8),
                            Serdes.EPISODE.encode(episode(id, p, text, null))));
                }
            }
            // A scored summary of an already-rated episode, and garbage: neither is rated.
            UUID scoredId = UUID.randomUUID();
            producer.send(new ProducerRecord<>(topic, Serdes.EPISODE.encode(episode(scoredId, task.get(0), "x",
                    EpisodeScores.newBuilder().setRougeL(0).setReward(0).build()))));
            producer.send(new ProducerRecord<>(topic, "not an episode".getBytes(StandardCharsets.UTF_8)));
            producer.flush();

            int generations = good.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> rater.given() >= generations * 0.4);
            List<Feedback> feedback = readAll(settings, QstreamTopic.FEEDBACK, (int) rater.given(), Duration.ofSeconds(20))
                    .stream().map(r -> Serdes.FEEDBACK.decode(r.value())).toList();
            // About half were rated (binomial 400 × 0.5: ±4σ = ±40), each at most once.
            assertThat(feedback.size()).isBetween(160, 240);
            assertThat(feedback.stream().map(Feedback::getEpisodeId).distinct().count()).isEqualTo(feedback.size());
            assertThat(feedback).allSatisfy(f -> {
                assertThat(good).containsKey(f.getEpisodeId());
                assertThat(f.getSource()).isEqualTo("simulated-rater");
                assertThat(f.getValue()).isBetween(-1.0, 1.0);
                assertThat(f.getKind()).isIn(FeedbackKind.THUMBS, FeedbackKind.RATING);
            });
            double goodMean = feedback.stream().filter(f -> good.get(f.getEpisodeId())).mapToDouble(Feedback::getValue)
                    .average().orElseThrow();
            double badMean = feedback.stream().filter(f -> !good.get(f.getEpisodeId())).mapToDouble(Feedback::getValue)
                    .average().orElseThrow();
            assertThat(goodMean).isGreaterThan(0.5);
            assertThat(badMean).isLessThan(goodMean - 0.5);
        }
    }

    private static Episode episode(UUID id, TaskPrompt p, String text, EpisodeScores scores) {
        return Episode.newBuilder().setEpisodeId(id).setPromptId(p.id()).setActorId("actor-1").setPrompt(p.prompt())
                .setText(text).setTokenCount(text.split(" ").length).setPolicyVersion(1)
                .setExploration(ExplorationStrategy.GREEDY).setEndReason(EndReason.END_OF_SEQUENCE)
                .setScores(scores).setCreatedAt(Instant.now()).build();
    }
}
