package dev.qstream.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.transport.ModelChunker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code qstream ope} against an embedded broker: logged episodes of a known ε-greedy behaviour policy (model version
 * 1) and two published versions. Judged as itself, version 1's PDIS is exactly the behaviour mean; version 2 (greedy
 * on the rewarded action) gets the PDIS and DR worked out here by hand; incomplete episodes, demonstrations and bad
 * records are left out and counted; a time range cuts episodes at its ends; a missing version and an empty range are
 * refused with one line.
 */
class OpeCommandIT {

    private static final String PREFIX = "ope";
    private static final int ACTIONS = 12;
    private static final List<Integer> MASK = List.of(3, 4, 5, 6, 7, 8);
    private static final int GREEDY_V1 = 4;
    private static final int GREEDY_V2 = 7;
    private static final double EPSILON = 0.3;
    private static final int STEPS = 3;
    private static final int EPISODES = 40;
    /** Long enough ago for the broker to take the timestamps, recent enough for the topics' retention. */
    private static final Instant T0 = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafkaBroker broker;
    /** The actions of each complete policy episode, in order. */
    private static final List<int[]> logged = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void logEpisodesAndPublishTwoVersions() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, 2, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        publish(settings, 1, GREEDY_V1);
        publish(settings, 2, GREEDY_V2);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        String topic = settings.topic(QstreamTopic.SCORED);
        SplittableRandom random = new SplittableRandom(2024);
        for (int k = 0; k < EPISODES; k++) {
            int[] actions = new int[STEPS];
            for (int t = 0; t < STEPS; t++) {
                actions[t] = random.nextDouble() < EPSILON ? MASK.get(random.nextInt(MASK.size())) : GREEDY_V1;
            }
            logged.add(actions);
            // The first half as the scorer writes them (one record per episode, at its last step's time), the rest
            // one record per step, as a scorer from before ScoredEpisode wrote them: a time range can cut those.
            List<ProducerRecord<byte[], byte[]>> steps = episode(topic, 1, ExplorationStrategy.EPSILON_GREEDY, actions,
                    T0.plusSeconds(10L * k), 0, STEPS);
            records.addAll(k < EPISODES / 2 ? List.of(whole(steps)) : steps);
        }
        // Two episodes whose done step never came, one whose first step is missing, one demonstration.
        records.addAll(episode(topic, 1, ExplorationStrategy.EPSILON_GREEDY, new int[]{4, 4, 4}, T0.plusSeconds(500), 0, 2));
        records.addAll(episode(topic, 1, ExplorationStrategy.EPSILON_GREEDY, new int[]{4, 7, 4}, T0.plusSeconds(505), 0, 2));
        records.addAll(episode(topic, 1, ExplorationStrategy.EPSILON_GREEDY, new int[]{4, 4, 4}, T0.plusSeconds(510), 1, 3));
        records.addAll(episode(topic, 0, ExplorationStrategy.DEMONSTRATION, new int[]{7, 7, 7}, T0.plusSeconds(520), 0, 3));
        // Bad records: bytes that do not decode, and a step whose behaviour probability of 0 admits no ratio.
        records.add(new ProducerRecord<>(topic, null, T0.plusSeconds(530).toEpochMilli(),
                "garbage".getBytes(StandardCharsets.UTF_8), new byte[]{1, 2, 3}));
        ProducerRecord<byte[], byte[]> zero = whole(episode(topic, 1, ExplorationStrategy.EPSILON_GREEDY, new int[]{4, 4},
                T0.plusSeconds(531), 0, 2));
        ScoredEpisode zeroMu = Serdes.SCORED_EPISODE.decode(zero.value());
        zeroMu.getSteps().get(1).setBehaviourProbability(0.0);
        records.add(new ProducerRecord<>(topic, null, zero.timestamp(), zero.key(), Serdes.SCORED_EPISODE.encode(zeroMu)));

        records.sort(Comparator.comparingLong(ProducerRecord::timestamp));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("ope-it-logger"))) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** A version whose Q-values are 10 for {@code greedy} and 0 elsewhere, whatever the state. */
    private static void publish(KafkaSettings settings, long version, int greedy) {
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(8, 4, 4, 4, 4), 4, ACTIONS);
        float[] b1 = {1f, 1f, 1f, 1f};
        float[] b2 = new float[ACTIONS];
        b2[greedy] = 10f;
        QNetworkWeights weights = new QNetworkWeights(spec, new float[spec.inputs() * 4], b1, new float[ACTIONS * 4], b2);
        List<ModelUpdate> chunks = ModelChunker.chunks("qnet", new ModelSnapshot(version, version - 1, "a".repeat(64), weights),
                Optional.empty(), List.of(), Map.of(), 256);
        Properties p = settings.producer("ope-it-publisher");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ope-it-publisher");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (ModelUpdate c : chunks) {
                producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.MODEL), 0,
                        ModelChunker.key(c.getModelName(), c.getChunkIndex()).getBytes(StandardCharsets.UTF_8),
                        Serdes.MODEL_UPDATE.encode(c)));
            }
            producer.commitTransaction();
        }
    }

    /** μ of an action under version 1's ε-greedy, computed as the actor computes it. */
    private static double behaviourProbability(int action) {
        return EPSILON / MASK.size() + (action == GREEDY_V1 ? 1 - EPSILON : 0);
    }

    private static double reward(int action) {
        return action == GREEDY_V2 ? 1.0 : 0.0;
    }

    /** Steps {@code [first, last)} of an episode with these actions; step t is logged at {@code start + t} seconds. */
    private static List<ProducerRecord<byte[], byte[]>> episode(String topic, long version, ExplorationStrategy how,
                                                                int[] actions, Instant start, int first, int last) {
        String id = UUID.randomUUID().toString();
        List<Integer> prompt = List.of(3, 5, 8);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int t = first; t < last; t++) {
            boolean done = t == actions.length - 1;
            List<Integer> prefix = IntStream.of(actions).limit(t).boxed().toList();
            long at = start.plusSeconds(t).toEpochMilli();
            Transition tr = Transition.newBuilder().setEpisodeId(id).setPromptId("p-" + id).setActorId("actor-1")
                    .setStep(t).setPromptTokens(prompt).setPrefixTokens(prefix).setAction(actions[t])
                    .setActionToken("w" + actions[t]).setValidActions(MASK).setDone(done)
                    .setEndReason(done ? EndReason.END_OF_SEQUENCE : null).setPolicyVersion(version)
                    .setBehaviourProbability(how == ExplorationStrategy.DEMONSTRATION ? 1.0 : behaviourProbability(actions[t]))
                    .setExploration(how).setCreatedAt(at).build();
            ScoredTransition scored = ScoredTransition.newBuilder().setTransition(tr).setReward(reward(actions[t]))
                    .setEpisodeReward(0).setNextValidActions(done ? null : MASK)
                    .setParts(RewardParts.newBuilder().setMetricName("rougeL_f").setMetric(0).build()).setScoredAt(at).build();
            out.add(new ProducerRecord<>(topic, null, at, id.getBytes(StandardCharsets.UTF_8), Serdes.SCORED_TRANSITION.encode(scored)));
        }
        return out;
    }

    /** An episode's per-step records as the one record the scorer writes for it, at its last step's time. */
    private static ProducerRecord<byte[], byte[]> whole(List<ProducerRecord<byte[], byte[]>> steps) {
        ProducerRecord<byte[], byte[]> last = steps.get(steps.size() - 1);
        ScoredEpisode episode = ScoredEpisodeSteps.pack(steps.stream().map(r -> Serdes.SCORED_TRANSITION.decode(r.value())).toList());
        return new ProducerRecord<>(last.topic(), null, last.timestamp(), last.key(), Serdes.SCORED_EPISODE.encode(episode));
    }

    private CliRun ope(String... args) {
        List<String> all = new ArrayList<>(List.of("ope", "--bootstrap-servers", broker.bootstrapServers(),
                "--topic-prefix", PREFIX, "--allow-unsigned-models", "--timeout", "60s", "--epsilon", "" + EPSILON));
        all.addAll(List.of(args));
        return CliRun.of(all);
    }

    private JsonNode opeJson(String... args) throws Exception {
        Path json = dir.resolve("ope-" + UUID.randomUUID() + ".json");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--out", json.toString()));
        CliRun run = ope(all.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("candidate, PDIS").contains("candidate, DR").contains("behaviour (logged)");
        return JSON.readTree(json.toFile());
    }

    private static double behaviourMean() {
        return logged.stream().mapToDouble(a -> IntStream.of(a).mapToDouble(OpeCommandIT::reward).sum()).average().orElseThrow();
    }

    @Test
    void theBehaviourPolicyJudgedAsItselfHasPdisEqualToItsMeanAndTheSkippedAreCounted() throws Exception {
        JsonNode r = opeJson("--candidate", "1");
        assertThat(r.at("/episodes/used").asInt()).isEqualTo(EPISODES);
        assertThat(r.at("/episodes/incomplete").asInt()).isEqualTo(3);
        assertThat(r.at("/episodes/demonstrations").asInt()).isEqualTo(1);
        assertThat(r.at("/episodes/badRecords").asInt()).isEqualTo(2);
        double mean = behaviourMean();
        assertThat(mean).as("some episodes were rewarded").isPositive();
        assertThat(r.at("/behaviour/value").asDouble()).isCloseTo(mean, within(1e-12));
        assertThat(r.at("/pdis/value").asDouble()).isCloseTo(mean, within(1e-12));
        assertThat(r.at("/pdis/ess").asDouble()).isCloseTo(EPISODES, within(1e-9));
        assertThat(r.at("/clipRate").asDouble()).isZero();
        // Version 1 served every logged episode: its on-policy check is the behaviour mean itself.
        assertThat(r.at("/candidateOnPolicy/value").asDouble()).isCloseTo(mean, within(1e-12));
        assertThat(r.at("/candidateOnPolicy/episodes").asInt()).isEqualTo(EPISODES);
        assertThat(r.at("/doublyRobust/ci95/0").asDouble()).isLessThanOrEqualTo(mean);
        assertThat(r.at("/doublyRobust/ci95/1").asDouble()).isGreaterThanOrEqualTo(mean);
    }

    @Test
    void anotherVersionGetsThePdisAndDrWorkedOutByHand() throws Exception {
        JsonNode r = opeJson("--candidate", "2", "--clip", "10");
        // Version 2 is ε-greedy on action 7, the rewarded one: π(7) = 0.7 + 0.05 = 0.75 against μ(7) = 0.05, a ratio
        // of 15 cut to 10; π(4) = 0.05 against μ(4) = 0.75; every other action has π = μ = 0.05.
        double pdis = 0;
        double dr = 0;
        long clipped = 0;
        double vHat = (1 - EPSILON) * 10 + EPSILON * 10.0 / MASK.size();
        for (int[] actions : logged) {
            double rho = 1;
            for (int a : actions) {
                double before = rho;
                double pi = EPSILON / MASK.size() + (a == GREEDY_V2 ? 1 - EPSILON : 0);
                rho *= Math.min(pi / behaviourProbability(a), 10);
                clipped += a == GREEDY_V2 ? 1 : 0;
                pdis += rho * reward(a);
                dr += rho * (reward(a) - (a == GREEDY_V2 ? 10 : 0)) + before * vHat;
            }
        }
        assertThat(clipped).as("the behaviour policy explored action 7 a few times").isPositive();
        assertThat(r.at("/pdis/value").asDouble()).isCloseTo(pdis / EPISODES, within(1e-9));
        assertThat(r.at("/doublyRobust/value").asDouble()).isCloseTo(dr / EPISODES, within(1e-6));
        assertThat(r.at("/pdis/value").asDouble()).isGreaterThan(r.at("/behaviour/value").asDouble());
        assertThat(r.at("/pdis/ess").asDouble()).isLessThan(EPISODES);
        assertThat(r.at("/clipRate").asDouble()).isCloseTo((double) clipped / (EPISODES * STEPS), within(1e-12));
        assertThat(r.get("candidateOnPolicy").isNull()).as("version 2 served no logged episode").isTrue();
    }

    @Test
    void aTimeRangeKeepsTheEpisodesInsideItAndCountsTheOnesItCuts() throws Exception {
        // Episode k's steps are at T0 + 10k + {0, 1, 2} s, episodes 0..19 in one record at T0 + 10k + 2 s: this
        // range holds episodes 5..19 (episode 5's record at 52 s) and cuts episode 20's per-step records.
        JsonNode r = opeJson("--candidate", "1", "--from", T0.plusMillis(50_500).toString(), "--to", T0.plusMillis(201_500).toString());
        assertThat(r.at("/episodes/used").asInt()).isEqualTo(15);
        assertThat(r.at("/episodes/incomplete").asInt()).isEqualTo(1);
        assertThat(r.at("/episodes/demonstrations").asInt()).isZero();
        assertThat(r.at("/episodes/badRecords").asInt()).isZero();
        double mean = logged.subList(5, 20).stream()
                .mapToDouble(a -> IntStream.of(a).mapToDouble(OpeCommandIT::reward).sum()).average().orElseThrow();
        assertThat(r.at("/behaviour/value").asDouble()).isCloseTo(mean, within(1e-12));
    }

    @Test
    void aVersionThatIsNotPublishedAndARangeWithoutEpisodesAreRefusedWithOneLine() {
        CliRun missing = ope("--candidate", "9");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("model version 9 of 'qnet' is not on ope.model").doesNotContain("\tat ");
        CliRun empty = ope("--candidate", "1", "--from", T0.plusSeconds(1000).toString());
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("no complete policy episode").doesNotContain("\tat ");
        CliRun backwards = ope("--candidate", "1", "--from", "1h", "--to", "2h");
        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.err()).contains("the range is empty");
    }
}
