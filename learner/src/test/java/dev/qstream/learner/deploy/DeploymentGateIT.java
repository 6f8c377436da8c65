package dev.qstream.learner.deploy;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.deployment.DeploymentFollower;
import dev.qstream.runtime.deployment.DeploymentLog;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.topics.TopicLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gate's cycle against a real broker's deployments topic, with a stand-in for training: it seeds a champion,
 * puts each new version on trial, rolls a worse one back on its rewards (training resumes from the champion's
 * weights), and obeys an operator's decision on the log the same way as its own.
 */
class DeploymentGateIT {

    private static final GateConfig CONFIG = new GateConfig(0.2, 20, 200, 0.95, 0.02, 0);
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Training stand-in: versions count up, each publish's weights carry their version in b2[0]. */
    private static final class StandIn implements DeploymentGate.Trainee {
        final QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), 4, Vocabulary.SPECIAL_TOKENS + 3);
        final List<DeploymentGate.Published> published = new ArrayList<>();
        final List<Long> championCopies = new ArrayList<>();
        final List<QNetworkWeights> resumedFrom = new ArrayList<>();
        long version;

        @Override
        public QNetworkWeights currentWeights() {
            float[] b2 = new float[spec.actions()];
            b2[0] = version + 1;
            return new QNetworkWeights(spec, new float[spec.inputs() * spec.hidden()], new float[spec.hidden()],
                    new float[spec.actions() * spec.hidden()], b2);
        }

        @Override
        public DeploymentGate.Published publish(QNetworkWeights weights) {
            version++;
            DeploymentGate.Published p = new DeploymentGate.Published(new ModelSnapshot(version, version - 1, "0".repeat(64), weights), List.of(), Map.of());
            published.add(p);
            return p;
        }

        @Override
        public void publishChampionCopy(DeploymentGate.Published v) {
            championCopies.add(v.version());
        }

        @Override
        public void resumeFrom(QNetworkWeights weights) {
            resumedFrom.add(weights);
        }
    }

    private static KafkaSettings topics(String prefix) {
        KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(prefix, 1, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        return settings;
    }

    /** Ticks until the gate has acted on a state matching {@code done}. */
    private static void tickUntil(DeploymentGate gate, StandIn training, boolean publishDue,
                                  java.util.function.Predicate<DeploymentState> done) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            gate.tick(training, publishDue);
            return done.test(gate.applied());
        });
    }

    @Test
    void aWorseChallengerIsRolledBackOnItsRewardsAndTrainingResumesFromTheChampion() throws Exception {
        KafkaSettings settings = topics("gate-a");
        TrialTally tally = new TrialTally();
        StandIn training = new StandIn();
        try (DeploymentFollower follower = new DeploymentFollower(settings, "gate-a", "qnet", s -> { }).start(Duration.ofSeconds(30));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("gate-a"))) {
            DeploymentGate gate = new DeploymentGate(CONFIG, "qnet", d -> DeploymentLog.append(producer, settings, d, Duration.ofSeconds(10)),
                    follower, tally, Map.of(), new SimpleMeterRegistry());
            tickUntil(gate, training, true, s -> s.champion().isPresent());
            assertThat(gate.applied().champion()).hasValue(1);
            assertThat(training.championCopies).containsExactly(1L);

            tickUntil(gate, training, true, s -> s.challenger().isPresent());
            assertThat(gate.applied().challenger()).hasValue(2);
            assertThat(gate.applied().canaryFraction()).isEqualTo(0.2);
            assertThat(training.published).hasSize(2); // nothing more is published while the trial is on
            gate.tick(training, true);
            assertThat(training.published).hasSize(2);

            long now = System.currentTimeMillis() + 1_000;
            for (int i = 0; i < 20; i++) {
                tally.observe(UUID.randomUUID(), 1, 0.6 + (i % 3) * 0.01, now);
                tally.observe(UUID.randomUUID(), 2, 0.05 + (i % 3) * 0.01, now);
            }
            tickUntil(gate, training, false, s -> s.challenger().isEmpty());
            DeploymentDecision d = gate.applied().lastDecision();
            assertThat(d.getAction()).isEqualTo(DeploymentAction.ROLLED_BACK);
            assertThat(d.getSubjectVersion()).isEqualTo(2);
            assertThat(d.getChampionVersion()).isEqualTo(1);
            assertThat(d.getEvidence().getChallengerEpisodes()).isEqualTo(20);
            assertThat(training.resumedFrom).hasSize(1);
            assertThat(training.resumedFrom.get(0).b2()[0]).as("the champion's weights").isEqualTo(1f);

            // The next trial follows at the next publish.
            tickUntil(gate, training, true, s -> s.challenger().isPresent());
            assertThat(gate.applied().challenger()).hasValue(3);
        }
    }

    @Test
    void anOperatorsDecisionOnTheLogIsActedOnLikeTheGatesOwn() throws Exception {
        KafkaSettings settings = topics("gate-b");
        TrialTally tally = new TrialTally();
        StandIn training = new StandIn();
        try (DeploymentFollower follower = new DeploymentFollower(settings, "gate-b", "qnet", s -> { }).start(Duration.ofSeconds(30));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("gate-b"));
             KafkaProducer<byte[], byte[]> operator = new KafkaProducer<>(settings.producer("operator"))) {
            DeploymentGate gate = new DeploymentGate(CONFIG, "qnet", d -> DeploymentLog.append(producer, settings, d, Duration.ofSeconds(10)),
                    follower, tally, Map.of(), new SimpleMeterRegistry());
            tickUntil(gate, training, true, s -> s.champion().isPresent());
            tickUntil(gate, training, true, s -> s.challenger().isPresent());

            DeploymentLog.append(operator, settings, decision(DeploymentAction.PROMOTED, 2, 2), Duration.ofSeconds(10));
            tickUntil(gate, training, false, s -> s.challenger().isEmpty());
            assertThat(gate.applied().champion()).hasValue(2);
            assertThat(training.resumedFrom).as("a promotion keeps training where it is").isEmpty();
            assertThat(training.championCopies).containsExactly(1L, 2L);

            tickUntil(gate, training, true, s -> s.challenger().isPresent());
            DeploymentLog.append(operator, settings, decision(DeploymentAction.ROLLED_BACK, 3, 2), Duration.ofSeconds(10));
            tickUntil(gate, training, false, s -> s.challenger().isEmpty());
            assertThat(training.resumedFrom).hasSize(1);
            assertThat(training.resumedFrom.get(0).b2()[0]).isEqualTo(2f);
        }
    }

    private static DeploymentDecision decision(DeploymentAction action, long subject, long champion) {
        return DeploymentDecision.newBuilder().setModel("qnet").setAction(action).setSubjectVersion(subject)
                .setChampionVersion(champion).setChallengerVersion(null).setCanaryFraction(0).setDecidedBy("operator")
                .setReason("test").setEvidence(null).setDecidedAt(Instant.now()).build();
    }
}
