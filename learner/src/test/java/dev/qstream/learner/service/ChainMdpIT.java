package dev.qstream.learner.service;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.ScoredSteps;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A small deterministic MDP fed through Kafka: a chain of L states (the number of "right" tokens generated so
 * far). "right" moves along, paying 1 at the end of the chain; "stop" ends the episode paying 0.1 × position.
 * After training on transitions from a random behaviour policy, the learner's published Q(s, a) must be within
 * 0.05 of value iteration's answer for every state and valid action.
 */
class ChainMdpIT {

    private static final int LENGTH = 5;
    private static final double GAMMA = 0.9;
    private static final int STOP = Vocabulary.EOS_ID;        // 2
    private static final int RIGHT = Vocabulary.SPECIAL_TOKENS; // 3 ("w0")
    private static final int[] PROMPT = {RIGHT + 1};           // one fixed prompt token

    /** Q*(i, a) by value iteration, independent of the learner's code. */
    static double[][] valueIteration() {
        double[][] q = new double[LENGTH][2]; // [state][0 = stop, 1 = right]
        for (int sweep = 0; sweep < 1000; sweep++) {
            double[][] next = new double[LENGTH][2];
            for (int i = 0; i < LENGTH; i++) {
                next[i][0] = 0.1 * i;
                next[i][1] = i == LENGTH - 1 ? 1.0 : GAMMA * Math.max(q[i + 1][0], q[i + 1][1]);
            }
            q = next;
        }
        return q;
    }

    static List<ScoredTransition> randomEpisode(Random random) {
        List<Integer> actions = new ArrayList<>();
        List<Double> rewards = new ArrayList<>();
        for (int i = 0; i < LENGTH; i++) {
            boolean right = random.nextDouble() < 0.7;
            actions.add(right ? RIGHT : STOP);
            rewards.add(right ? (i == LENGTH - 1 ? 1.0 : 0.0) : 0.1 * i);
            if (!right) {
                break;
            }
        }
        List<List<Integer>> masks = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            masks.add(List.of(STOP, RIGHT));
        }
        return ScoredSteps.episode(UUID.randomUUID(), PROMPT, actions.stream().mapToInt(Integer::intValue).toArray(),
                rewards.stream().mapToDouble(Double::doubleValue).toArray(), masks);
    }

    @Test
    void learnsTheOptimalQValuesOfAChainWithinFiveHundredths() throws Exception {
        Vocabulary vocabulary = Vocabulary.synthetic(3);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout("chain", 1, (short) 1), Map.of());
            try (ServiceContext context = ServiceContext.start(settings, "learner", "chain-it", Duration.ofSeconds(30), Duration.ofSeconds(1))) {
                Random random = new Random(11);
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("chain-producer"))) {
                    for (int e = 0; e < 3_000; e++) {
                        ScoredEpisode episode = ScoredEpisodeSteps.pack(randomEpisode(random));
                        producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.SCORED),
                                episode.getEpisodeId().getBytes(StandardCharsets.UTF_8), Serdes.SCORED_EPISODE.encode(episode)));
                    }
                }
                DqnConfig dqn = DqnConfig.builder().inputDropout(0).gamma(GAMMA).targetSyncEvery(100).nStep(1).build(); // dropout off: this checks Q against value iteration exactly, not regularisation
                LearnerConfig config = LearnerConfig.builder("chain-it", vocabulary.size(), vocabulary.fingerprint())
                        .hidden(64).dqn(dqn).replay(ReplayConfig.uniform(50_000)).minReplay(500).samplesPerInsert(1_000)
                        .publishEveryUpdates(500).groupId("chain-learner").build();
                LearnerService learner = LearnerService.start(config, context);
                try {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> learner.updates() >= 8_000);
                    long version = learner.publishedVersion();
                    await().atMost(Duration.ofSeconds(30)).until(() -> learner.publishedVersion() > version);
                } finally {
                    learner.close();
                }
                ModelSnapshot model = PublishedModels.newest(settings, "chain-reader", "qnet", Optional.empty(), Duration.ofSeconds(30)).orElseThrow();
                assertThat(model.version()).isGreaterThan(1);

                double[][] expected = valueIteration();
                StateEncoder encoder = new StateEncoder(model.spec().encoder());
                QFunction q = new QFunction(model.weights());
                float[] h = new float[q.hiddenSize()];
                for (int i = 0; i < LENGTH; i++) {
                    int[] prefix = new int[i];
                    Arrays.fill(prefix, RIGHT);
                    q.hidden(encoder.encode(PROMPT, prefix, i), h);
                    assertThat((double) q.q(h, STOP)).as("Q(%d, stop)", i).isCloseTo(expected[i][0], within(0.05));
                    assertThat((double) q.q(h, RIGHT)).as("Q(%d, right)", i).isCloseTo(expected[i][1], within(0.05));
                }
            }
        }
    }

}
