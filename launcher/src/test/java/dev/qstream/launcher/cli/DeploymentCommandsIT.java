package dev.qstream.launcher.cli;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.deployment.DeploymentLog;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code qstream promote}, {@code rollback} and {@code deployments} on a real broker: an override is checked
 * against the deployment state (only the challenger on trial can be promoted or rolled back, and only while a gate
 * holds traffic), refused with a clear message otherwise, and recorded as an operator's decision when valid.
 */
class DeploymentCommandsIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static CliRun run(String prefix, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix));
        return CliRun.of(all);
    }

    private static KafkaSettings topics(String prefix) {
        KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(prefix, 1, (short) 1), Map.of());
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        return settings;
    }

    private static void gateDecides(KafkaSettings settings, DeploymentAction action, long subject, long champion, Long challenger) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("gate-stand-in"))) {
            DeploymentLog.append(producer, settings, DeploymentDecision.newBuilder().setModel("qnet").setAction(action)
                    .setSubjectVersion(subject).setChampionVersion(champion).setChallengerVersion(challenger)
                    .setCanaryFraction(challenger == null ? 0 : 0.1).setDecidedBy("gate").setReason("stand-in")
                    .setEvidence(null).setDecidedAt(Instant.now()).build(), Duration.ofSeconds(10));
        }
    }

    private static DeploymentState state(KafkaSettings settings) {
        return DeploymentLog.current(settings, "cli-it", "qnet", Duration.ofSeconds(10));
    }

    @Test
    void withoutAGateThereIsNothingToPromoteOrRollBack() {
        topics("cli-a");
        CliRun promote = run("cli-a", "promote", "3");
        assertThat(promote.exitCode()).isNotZero();
        assertThat(promote.err()).contains("no promotion gate holds traffic").contains("--gate");
        CliRun show = run("cli-a", "deployments");
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("0 decision(s); now: newest version serves all traffic");
    }

    @Test
    void onlyTheChallengerOnTrialCanBePromotedAndThePromotionIsRecordedAsTheOperators() {
        KafkaSettings settings = topics("cli-b");
        gateDecides(settings, DeploymentAction.PROMOTED, 4, 4, null);
        gateDecides(settings, DeploymentAction.TRIAL_STARTED, 6, 4, 6L);

        CliRun wrong = run("cli-b", "promote", "5");
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.err()).contains("v5 is not on trial").contains("challenger v6");
        assertThat(state(settings).challenger()).hasValue(6);

        CliRun ok = run("cli-b", "promote", "6", "--reason", "looks good in review");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("promoted v6");
        DeploymentState after = state(settings);
        assertThat(after.champion()).hasValue(6);
        assertThat(after.challenger()).isEmpty();
        assertThat(after.lastDecision().getDecidedBy()).isEqualTo("operator");
        assertThat(after.lastDecision().getReason()).isEqualTo("looks good in review");

        CliRun again = run("cli-b", "promote", "6");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("already the champion");
        assertThat(DeploymentLog.history(settings, "cli-it", "qnet", Duration.ofSeconds(10))).hasSize(3);
    }

    @Test
    void aChallengerIsRolledBackButAChampionIsNot() {
        KafkaSettings settings = topics("cli-c");
        gateDecides(settings, DeploymentAction.PROMOTED, 4, 4, null);
        CliRun champion = run("cli-c", "rollback", "4");
        assertThat(champion.exitCode()).isNotZero();
        assertThat(champion.err()).contains("v4 is the champion");

        gateDecides(settings, DeploymentAction.TRIAL_STARTED, 7, 4, 7L);
        CliRun ok = run("cli-c", "rollback", "7");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("rolled back v7").contains("champion v4 serves all traffic");
        DeploymentState after = state(settings);
        assertThat(after.lastDecision().getAction()).isEqualTo(DeploymentAction.ROLLED_BACK);
        assertThat(after.champion()).hasValue(4);
        assertThat(after.challenger()).isEmpty();

        CliRun show = run("cli-c", "deployments");
        assertThat(show.out()).contains("TRIAL_STARTED v7").contains("ROLLED_BACK   v7  by operator: manual rollback")
                .contains("3 decision(s); now: champion v4");
    }
}
