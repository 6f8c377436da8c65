package dev.qstream.bench.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.MetricKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * What {@code bench loop} reads off the topics, on a real (embedded) broker: records with known times go on the
 * prompts, transitions, scored and metrics topics, the actors' group commits a known offset, and the meter's figures
 * for the window must be the ones those records imply. No timing is asserted: every time is a record's own.
 */
class LoopMeterIT {

    private static final long WINDOW_MILLIS = 120_000;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void figuresOfAWindowAreTheOnesItsRecordsImply() throws Exception {
        KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout("loopit", 1, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        // The window starts half a minute ago, so the actors' lag, read "now", also falls inside it.
        long t0 = System.currentTimeMillis() - 30_000;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("loop-meter-it"))) {
            // 60 prompts: 0.5/s over the two-minute window. One stamped before the window must not count.
            for (int i = 0; i < 60; i++) {
                send(producer, settings, QstreamTopic.PROMPTS, Serdes.PROMPT.encode(prompt(t0 + i * 500L)));
            }
            send(producer, settings, QstreamTopic.PROMPTS, Serdes.PROMPT.encode(prompt(t0 - 1)));
            // 100 generated steps deciding in 1..100 µs, each scored 0.1..10 s after it was taken; 20 demonstrated
            // steps (no decision time) that count as transitions but not in the decision percentiles.
            for (int k = 1; k <= 100; k++) {
                Transition t = transition(t0 + k * 100L, k, ExplorationStrategy.EPSILON_GREEDY);
                send(producer, settings, QstreamTopic.TRANSITIONS, Serdes.TRANSITION.encode(t));
                send(producer, settings, QstreamTopic.SCORED,
                        Serdes.SCORED_EPISODE.encode(ScoredEpisodeSteps.pack(List.of(scored(t, t.getCreatedAt() + k * 100L)))));
            }
            for (int k = 0; k < 20; k++) {
                send(producer, settings, QstreamTopic.TRANSITIONS,
                        Serdes.TRANSITION.encode(transition(t0 + 20_000 + k, 0, ExplorationStrategy.DEMONSTRATION)));
            }
            // The services' meters, two samples 50 s apart.
            for (long at : new long[]{t0 + 1_000, t0 + 51_000}) {
                boolean late = at > t0 + 1_000;
                metric(producer, settings, "learner", "learner-1", "learner.updates", late ? 60 : 10, Map.of(), at);
                metric(producer, settings, "learner", "learner-1", "learner.replay.inserted", late ? 900 : 100, Map.of(), at);
                metric(producer, settings, "learner", "learner-1", "learner.ingest.paused", late ? 1 : 0, Map.of(), at);
                metric(producer, settings, "actor", "actor-1", "actor.requests", late ? 50 : 0, Map.of("source", "topic"), at);
                metric(producer, settings, "actor", "actor-1", "actor.requests", late ? 5_000 : 0, Map.of("source", "http"), at);
                metric(producer, settings, "actor", "actor-1", "actor.training.keep.share", late ? 1.0 : 0.5, Map.of(), at);
                metric(producer, settings, "actor", "actor-1", "actor.model.swaps", late ? 12 : 2, Map.of(), at);
                metric(producer, settings, "actor", "actor-1", "actor.model.swap.latency", late ? 300 : 120, Map.of("statistic", "p99"), at);
                metric(producer, settings, "actor", "actor-1", "actor.model.swap.latency", 40, Map.of("statistic", "p50"), at);
                metric(producer, settings, "actor", "actor-1", "actor.model.version", late ? 12 : 2, Map.of(), at);
            }
            producer.flush();
        }
        // The actors' group has taken 41 of the 61 prompts: 20 behind.
        try (KafkaConsumer<byte[], byte[]> actors = new KafkaConsumer<>(settings.consumer("loop-meter-it-actors", "loopit-actors"))) {
            TopicPartition prompts = new TopicPartition(settings.topic(QstreamTopic.PROMPTS), 0);
            actors.assign(List.of(prompts));
            actors.commitSync(Map.of(prompts, new OffsetAndMetadata(41)));
        }

        try (LoopMeter meter = new LoopMeter(settings).start()) {
            // Once read to the topics' ends, every record is counted; the actors' lag comes from its own reader.
            assertThat(meter.readToEnd(Duration.ofSeconds(60))).isTrue();
            assertThat(meter.figures(0.5, t0, t0 + WINDOW_MILLIS, 64).scoredPerSec() * 120).isCloseTo(100, within(1e-6));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(meter.figures(0.5, t0, t0 + WINDOW_MILLIS, 64).actorLagP99Seconds()).isNotNaN());
            StepFigures f = meter.figures(0.5, t0, t0 + WINDOW_MILLIS, 64);
            assertThat(f.promptsPerSec()).isCloseTo(0.5, within(1e-9));
            assertThat(f.transitionsPerSec()).isCloseTo(1.0, within(1e-9));
            assertThat(f.transitionsDuePerSec()).isCloseTo(1.0, within(1e-9)); // all were taken well inside the window
            assertThat(f.scorerLagP50Seconds()).isCloseTo(5.0, within(1e-9));
            assertThat(f.scorerLagP99Seconds()).isCloseTo(9.9, within(1e-9));
            assertThat(f.actorTokenP50Micros()).isEqualTo(50);
            assertThat(f.actorTokenP99Micros()).isEqualTo(99);
            assertThat(f.actorLagP99Seconds()).isCloseTo(40.0, within(1e-9)); // 20 prompts behind at 0.5/s
            assertThat(f.answeredPerSec()).isCloseTo(1.0, within(1e-9)); // from the topic; HTTP requests are not prompts
            assertThat(f.learnerSamplesPerSec()).isCloseTo(64.0, within(1e-9)); // 1 update/s × 64
            assertThat(f.learnerInsertsPerSec()).isCloseTo(16.0, within(1e-9));
            assertThat(f.samplesPerInsert()).isCloseTo(4.0, within(1e-9));
            assertThat(f.learnerPausedShare()).isCloseTo(0.5, within(1e-9));
            assertThat(f.keepShareMin()).isEqualTo(0.5);
            assertThat(f.swaps()).isEqualTo(10);
            assertThat(f.publishToServeP99Millis()).isEqualTo(300);
            assertThat(f.publishToServeP50Millis()).isEqualTo(40);
            assertThat(meter.servedVersions()).containsEntry("actor-1", 12L);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, KafkaSettings settings, QstreamTopic topic, byte[] value) {
        producer.send(new ProducerRecord<>(settings.topic(topic), "k".getBytes(StandardCharsets.UTF_8), value));
    }

    private static Prompt prompt(long at) {
        return Prompt.newBuilder().setPromptId("p-" + at).setText("name [ x ]").setReferences(List.of("x"))
                .setTask("it").setDeadline(null).setCreatedAt(Instant.ofEpochMilli(at)).build();
    }

    private static Transition transition(long at, long decisionMicros, ExplorationStrategy exploration) {
        return Transition.newBuilder().setEpisodeId(UUID.randomUUID().toString()).setPromptId("p").setActorId("actor-1")
                .setStep(0).setPromptTokens(List.of(7, 8)).setPrefixTokens(List.of()).setAction(100).setActionToken("x")
                .setValidActions(null).setDone(true).setEndReason(null).setPolicyVersion(1).setBehaviourProbability(0.9)
                .setExploration(exploration).setDecisionMicros(decisionMicros).setCreatedAt(at).build();
    }

    private static ScoredTransition scored(Transition t, long scoredAt) {
        RewardParts parts = RewardParts.newBuilder().setMetricName("rougeL_f").setMetric(0.5).setBleu(0).setHuman(null)
                .setHumanDefaulted(false).setLengthPenalty(0).setRepetitionPenalty(0).setShaping("delta").build();
        return ScoredTransition.newBuilder().setTransition(t).setReward(0.5).setEpisodeReward(0.5).setNextValidActions(null)
                .setParts(parts).setScoredAt(scoredAt).build();
    }

    private static void metric(KafkaProducer<byte[], byte[]> producer, KafkaSettings settings, String source, String instance,
                               String name, double value, Map<String, String> tags, long at) {
        MetricEvent e = MetricEvent.newBuilder().setSource(source).setInstanceId(instance).setName(name)
                .setKind(MetricKind.GAUGE).setValue(value).setTags(new HashMap<>(tags)).setTimestamp(Instant.ofEpochMilli(at)).build();
        send(producer, settings, QstreamTopic.METRICS, Serdes.METRIC_EVENT.encode(e));
    }
}
