package dev.qstream.launcher.loop;

import dev.qstream.console.telemetry.TelemetryFixtures;
import dev.qstream.console.telemetry.TopicWindowReader;
import dev.qstream.console.telemetry.StartPosition;
import dev.qstream.console.telemetry.ModelVersionLog;
import dev.qstream.console.telemetry.MetricBoard;
import dev.qstream.console.telemetry.LoopTelemetry;
import dev.qstream.console.telemetry.InstanceState;
import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.console.telemetry.GenerationStats;
import dev.qstream.console.telemetry.DeadLetterLog;
import dev.qstream.runtime.kafka.ConsumerLagReader;
import dev.qstream.console.telemetry.TestTopics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.launcher.cli.QstreamCli;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.metrics.MetricsReporter;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.MetricKind;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static dev.qstream.console.telemetry.TelemetryFixtures.episode;
import static dev.qstream.console.telemetry.TelemetryFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ops readers on a real (embedded) broker: heartbeats and down detection with the services' own metrics
 * reporter, consumer lag from the Admin API (including a transaction in flight), and the status and report
 * commands reading what the services write.
 */
class OpsTelemetryIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static KafkaSettings topics(String prefix) {
        return TestTopics.create(broker.bootstrapServers(), prefix);
    }

    /**
     * Waits until the broker leads every new partition: listing offsets is answered by the partition leader itself.
     * Producing before that can end in NOT_LEADER_OR_FOLLOWER followed by an idempotent producer retrying an
     * OutOfOrderSequence error until its delivery timeout (two minutes) on a freshly created topic.
     */
    private static MetricBoard readMetrics(KafkaSettings settings, Duration window) {
        MetricBoard board = new MetricBoard(1_000);
        LoopTelemetry telemetry = new LoopTelemetry(settings, board, new GenerationStats(1_000, 10, 1),
                new ModelVersionLog(10), new DeadLetterLog(1));
        TopicWindowReader.read(settings, "it-reader", Map.of(QstreamTopic.METRICS,
                StartPosition.since(Instant.now().minus(window))), Duration.ofSeconds(30),
                (topic, r) -> telemetry.offerQuietly(topic, r.value()));
        return board;
    }

    @Test
    void anInstanceSilentForThreeHeartbeatIntervalsShowsAsDown() throws Exception {
        KafkaSettings settings = topics("hb");
        // Long enough that reading the topic on a busy machine never takes three intervals; each check is re-read
        // until it holds (a condition, not a clock).
        Duration interval = Duration.ofMillis(2_000);
        SimpleMeterRegistry registryA = new SimpleMeterRegistry();
        Counter.builder("actor.episodes").register(registryA).increment(3);
        try (MetricsReporter a = new MetricsReporter(settings, "actor", "actor-1", registryA, interval).start()) {
            MetricsReporter b = new MetricsReporter(settings, "scorer", "scorer-1", new SimpleMeterRegistry(), interval).start();
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                List<InstanceState> bothUp = readMetrics(settings, Duration.ofMinutes(1)).liveness().states(System.currentTimeMillis());
                assertThat(bothUp).extracting(InstanceState::instanceId).containsExactly("actor-1", "scorer-1");
                assertThat(bothUp).allSatisfy(s -> {
                    assertThat(s.up()).isTrue();
                    assertThat(s.intervalMillis()).isEqualTo(2_000);
                });
            });

            b.close(); // its last heartbeat goes out now; then silence
            long closedAt = System.currentTimeMillis();
            MetricBoard[] last = new MetricBoard[1];
            await().atMost(Duration.ofMinutes(1)).pollDelay(Duration.ofMillis(3 * interval.toMillis())).untilAsserted(() -> {
                last[0] = readMetrics(settings, Duration.ofMinutes(1));
                List<InstanceState> states = last[0].liveness().states(System.currentTimeMillis());
                assertThat(states).filteredOn(s -> s.instanceId().equals("actor-1")).singleElement()
                        .satisfies(s -> assertThat(s.up()).isTrue());
                assertThat(states).filteredOn(s -> s.instanceId().equals("scorer-1")).singleElement().satisfies(s -> {
                    assertThat(s.up()).isFalse();
                    assertThat(s.silentMillis()).isGreaterThanOrEqualTo(3 * interval.toMillis());
                    assertThat(s.lastHeartbeatMillis()).isLessThanOrEqualTo(closedAt + 50);
                });
            });
            MetricBoard board = last[0];
            // The same reporter's meters arrive as series next to the heartbeats.
            assertThat(board.latestSum("actor.episodes", k -> true)).isEqualTo(3.0);
        }
    }

    @Test
    void lagPerGroupComesFromTheAdminApiAndAnOpenTransactionIsNotLag() throws Exception {
        KafkaSettings settings = topics("lag");
        String prompts = settings.topic(QstreamTopic.PROMPTS);
        String scored = settings.topic(QstreamTopic.SCORED);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("lag-producer"))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(prompts, 0, null, new byte[]{(byte) i})).get();
            }
            producer.send(new ProducerRecord<>(prompts, 1, null, new byte[]{1})).get();
        }
        commit(settings, "lag-actors", Map.of(new TopicPartition(prompts, 0), 4L, new TopicPartition(prompts, 1), 1L));
        // A group that committed only on another deployment's topics is not listed.
        commit(settings, "other-deployment", Map.of(new TopicPartition(topics("other").topic(QstreamTopic.PROMPTS), 0), 0L));

        Properties txn = settings.producer("lag-txn");
        txn.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-txn-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(txn)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(scored, 0, null, new byte[]{1}));
            producer.send(new ProducerRecord<>(scored, 0, null, new byte[]{2}));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(scored, 0, null, new byte[]{3}));
            producer.flush(); // in flight: above the last stable offset, invisible to read_committed consumers
            long caughtUp = readCommittedEnd(settings, new TopicPartition(scored, 0));
            commit(settings, "lag-learner", Map.of(new TopicPartition(scored, 0), caughtUp));

            try (ConsumerLagReader reader = new ConsumerLagReader(settings, "lag-reader")) {
                List<GroupLag> lags = reader.read(Duration.ofSeconds(20));
                assertThat(lags).extracting(GroupLag::group).containsExactly("lag-actors", "lag-learner");
                assertThat(lags.get(0).totalLag()).isEqualTo(6);
                assertThat(lags.get(0).lagByTopic()).isEqualTo(Map.of(prompts, 6L));
                assertThat(lags.get(1).totalLag()).as("a caught-up read_committed group").isZero();
            }
            producer.abortTransaction();
        }
    }

    private static long readCommittedEnd(KafkaSettings settings, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("lso-probe", null))) {
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    private static void commit(KafkaSettings settings, String group, Map<TopicPartition, Long> offsets) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(group + "-c", group))) {
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
            consumer.commitSync(commit);
        }
    }

    /** What a small loop leaves on the topics: metrics with heartbeats, scored episodes, a model version, a dead letter. */
    private static void writeALoop(KafkaSettings settings) throws Exception {
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("loop-writer"))) {
            String metrics = settings.topic(QstreamTopic.METRICS);
            for (int i = 0; i < 3; i++) {
                long at = now - 10_000 + i * 5_000L;
                for (var e : List.of(
                        TelemetryFixtures.heartbeat("learner", "learner-1", at, 5_000),
                        TelemetryFixtures.heartbeat("actor", "actor-1", at - 60_000, 5_000), // long silent
                        metric("learner", "learner-1", "learner.updates", MetricKind.COUNTER, 100 + i * 50, at),
                        metric("learner", "learner-1", "learner.loss", MetricKind.GAUGE, 0.5 - i * 0.1, at),
                        metric("learner", "learner-1", "learner.model.version", MetricKind.GAUGE, 7, at),
                        metric("actor", "actor-1", "actor.model.version", MetricKind.GAUGE, 6, at),
                        metric("evaluator", "evaluator-1", "eval.rougeL.f", MetricKind.GAUGE, 0.2 + i * 0.1, at,
                                "version", String.valueOf(4 + i)))) {
                    producer.send(new ProducerRecord<>(metrics, e.getSource().getBytes(StandardCharsets.UTF_8),
                            Serdes.METRIC_EVENT.encode(e)));
                }
            }
            String generations = settings.topic(QstreamTopic.GENERATIONS);
            for (int i = 0; i < 20; i++) {
                UUID id = UUID.randomUUID();
                producer.send(new ProducerRecord<>(generations, id.toString().getBytes(StandardCharsets.UTF_8),
                        Serdes.EPISODE.encode(episode(id, 6, 0.25, now - 20_000 + i * 1_000L))));
            }
            producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.MODEL), "qstream/0".getBytes(StandardCharsets.UTF_8),
                    Serdes.MODEL_UPDATE.encode(ModelUpdate.newBuilder().setModelName("qstream").setVersion(7)
                            .setParentVersion(6).setFormat("qstream-f32-v1").setChunkIndex(0).setChunkCount(1)
                            .setTotalBytes(4).setData(ByteBuffer.wrap(new byte[4])).setSha256("00").setSignature(null)
                            .setMetrics(Map.of("updates", 200.0)).setCreatedAt(Instant.ofEpochMilli(now - 30_000)).build())));
            producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.DLQ), "x".getBytes(StandardCharsets.UTF_8),
                    Serdes.DEAD_LETTER.encode(DeadLetter.newBuilder().setSourceTopic(settings.topic(QstreamTopic.PROMPTS))
                            .setPartition(0).setOffset(3).setReason(DeadLetterReason.DESERIALIZATION).setError("WRONG_MARKER")
                            .setConsumer("actor/actor-1").setTimestamp(Instant.ofEpochMilli(now - 5_000)).build())));
            // Garbage on a topic status reads: skipped, never fatal.
            producer.send(new ProducerRecord<>(metrics, "junk".getBytes(StandardCharsets.UTF_8), "junk".getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static String[] cli(KafkaSettings settings, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--bootstrap-servers";
        all[args.length + 1] = settings.bootstrapServers();
        all[args.length + 2] = "--topic-prefix";
        all[args.length + 3] = settings.layout().prefix();
        return all;
    }

    @Test
    void statusPrintsTheLoopsHealthReadFromItsTopicsAsJsonAndText() throws Exception {
        KafkaSettings settings = topics("status");
        writeALoop(settings);

        StringWriter out = new StringWriter();
        CommandLine cli = QstreamCli.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(cli(settings, "status", "--json", "--window", "2m"))).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("publishedVersion").asLong()).isEqualTo(7);
        assertThat(json.get("servedVersions").get("actor-1").asLong()).isEqualTo(6);
        assertThat(json.get("learnerUpdates").asDouble()).isEqualTo(200);
        assertThat(json.get("updatesPerSecond").asDouble()).isEqualTo(10);
        assertThat(json.get("scoredEpisodes").asLong()).isEqualTo(20);
        assertThat(json.get("meanRewardLastMinute").asDouble()).isEqualTo(0.25);
        assertThat(json.get("heldOut").get("version").asLong()).isEqualTo(6);
        assertThat(json.get("deadLetters").asLong()).isEqualTo(1);
        assertThat(json.get("instancesUp").asInt()).isEqualTo(1);
        assertThat(json.get("instancesDown").asInt()).isEqualTo(1);

        StringWriter text = new StringWriter();
        CommandLine textCli = QstreamCli.commandLine();
        textCli.setOut(new PrintWriter(text));
        assertThat(textCli.execute(cli(settings, "status"))).isZero();
        assertThat(text.toString())
                .containsPattern("published v7 \\(3\\d s ago\\)")
                .contains("served actor-1 v6")
                .contains("updates 200 · 10 updates/s")
                .contains("held-out ROUGE-L F 0.400 @ v6")
                .contains("1 in the window: status.prompts DESERIALIZATION 1")
                .contains("learner/learner-1 up")
                .contains("actor/actor-1 DOWN");
    }

    @Test
    void statusAgainstAClusterWithoutTheTopicsSaysSoInOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = QstreamCli.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("status", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "nothing-here",
                "--timeout", "5s");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("qstream status: topic nothing-here.metrics does not exist (is the loop running on this cluster?)");
    }

    @Test
    void reportDrawsTheLearningCurveFromTheTopics(@TempDir Path dir) throws Exception {
        KafkaSettings settings = topics("report");
        writeALoop(settings);
        Path png = dir.resolve("learning.png");
        assertThat(QstreamCli.commandLine().execute(cli(settings, "report", "--out", png.toString()))).isZero();
        var image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1600);
        assertThat(image.getHeight()).isEqualTo(500);
    }
}
