package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.deploy.GateConfig;
import dev.qstream.runtime.deployment.CanaryAssignment;
import dev.qstream.runtime.deployment.DeploymentLog;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The promotion gate on the real loop (embedded broker; scorer, learner and actor as the services run them): new
 * versions go to a canary share as challengers; a sabotaged challenger (the fault drill: it ends every episode at
 * once) is rolled back by the gate on its rewards while the champion keeps serving; good ones are promoted; every
 * service restarted in the middle of a trial comes back to the same champion and challenger; and every episode is
 * scored exactly once, on the version it was routed to.
 */
class CanaryDeploymentIT {

    private static final double CANARY = 0.3;
    private static final int DRILL_TRIAL = 2;

    @Test
    void aBadChallengerIsRolledBackAGoodOneIsPromotedAndARestartKeepsTheDeployment() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             LoopScenario loop = new LoopScenario(broker.bootstrapServers(), "canary")) {
            // Small trials, so several are decided in a CI-sized run; the wide margin promotes anything not clearly
            // worse, while the sabotaged challenger is clearly worse (rollback is judged first).
            loop.gate = Optional.of(new GateConfig(CANARY, 25, 150, 0.95, 0.1, DRILL_TRIAL));
            loop.withEvaluator = true;
            loop.checkpointDir = Files.createTempDirectory("canary-it-checkpoints"); // the trial's evidence survives the restart
            loop.startServices().startTraffic(40);

            // The drill's challenger is rolled back by the gate, on evidence, and the learner resumes from the champion.
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> drillDecision(loop) != null);
            DeploymentDecision drill = drillDecision(loop);
            assertThat(drill.getAction()).isEqualTo(DeploymentAction.ROLLED_BACK);
            assertThat(drill.getDecidedBy()).isEqualTo("gate");
            assertThat(drill.getEvidence().getUpperBound()).isNegative();
            assertThat(drill.getEvidence().getChallengerMeanReward()).isLessThan(drill.getEvidence().getChampionMeanReward());
            long drillChampion = drill.getChampionVersion();
            // The champion kept serving all but the canary share throughout, and serves everything now.
            await().atMost(Duration.ofSeconds(30)).until(() -> loop.actor.challengerVersion() < 0);
            assertThat(loop.actor.servedModelVersion()).isGreaterThanOrEqualTo(drillChampion);

            // A good challenger is promoted on evidence.
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> history(loop).stream()
                    .anyMatch(d -> d.getAction() == DeploymentAction.PROMOTED && d.getEvidence() != null
                            && d.getSubjectVersion() != drill.getSubjectVersion()));

            // Every service restarts in the middle of a trial ...
            AtomicReference<DeploymentState> before = new AtomicReference<>();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> before.updateAndGet(s -> current(loop)).challenger().isPresent());
            int decisionsBefore = history(loop).size();
            loop.restartServices();
            // ... and comes back following the log: the actor serves the champion and the challenger it names.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                DeploymentState now = current(loop);
                return loop.actor.deployment().sameRouting(now) && loop.actor.servedModelVersion() == now.champion().getAsLong()
                        && loop.actor.challengerVersion() == now.challenger().orElse(-1);
            });
            // Nothing was reset: the restarted learner found the champion's weights on the model topic and went on.
            List<DeploymentDecision> log = history(loop);
            assertThat(log.subList(decisionsBefore, log.size())).noneMatch(d -> d.getReason().startsWith("gate on")
                    || d.getReason().contains("not on the model topic"));
            assertThat(current(loop).champion().getAsLong()).isGreaterThanOrEqualTo(before.get().champion().getAsLong());
            // The trial that was on at the restart is decided.
            long onTrial = before.get().challenger().getAsLong();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> history(loop).stream()
                    .anyMatch(d -> d.getSubjectVersion() == onTrial && d.getAction() != DeploymentAction.TRIAL_STARTED));

            loop.simulator.close();
            assertEveryEpisodeScoredOnceOnTheVersionItWasRoutedTo(loop);
            assertTheHeldOutCurveEvaluatesChampionsOnly(loop, drill.getSubjectVersion());
        }
    }

    private static DeploymentDecision drillDecision(LoopScenario loop) {
        List<DeploymentDecision> log = history(loop);
        Long drillVersion = log.stream().filter(d -> d.getAction() == DeploymentAction.TRIAL_STARTED
                        && d.getReason().startsWith("fault drill")).map(DeploymentDecision::getSubjectVersion).findFirst().orElse(null);
        return drillVersion == null ? null : log.stream().filter(d -> d.getSubjectVersion() == drillVersion
                && d.getAction() != DeploymentAction.TRIAL_STARTED).findFirst().orElse(null);
    }

    private static List<DeploymentDecision> history(LoopScenario loop) {
        return DeploymentLog.history(loop.settings, "canary-it", "qnet", Duration.ofSeconds(30));
    }

    private static DeploymentState current(LoopScenario loop) {
        return DeploymentLog.current(loop.settings, "canary-it", "qnet", Duration.ofSeconds(30));
    }

    /**
     * Nothing lost or double-counted: every finished episode on the transitions topic is scored exactly once; each
     * episode's steps all come from one version; and every episode a challenger served was in its canary share.
     */
    private static void assertEveryEpisodeScoredOnceOnTheVersionItWasRoutedTo(LoopScenario loop) {
        Map<String, Long> versionOf = new HashMap<>();
        Map<String, Long> startedAt = new HashMap<>();
        Set<String> finished = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(loop.settings, QstreamTopic.TRANSITIONS)) {
            Transition t = Serdes.TRANSITION.decode(r.value());
            startedAt.merge(t.getEpisodeId(), t.getCreatedAt(), Math::min);
            Long before = versionOf.putIfAbsent(t.getEpisodeId(), t.getPolicyVersion());
            assertThat(before == null || before == t.getPolicyVersion())
                    .as("episode %s mixes versions %s and %s", t.getEpisodeId(), before, t.getPolicyVersion()).isTrue();
            if (t.getDone()) {
                finished.add(t.getEpisodeId());
            }
        }
        // A challenger serves only its canary share until its trial is decided (a promoted one serves all after).
        Map<Long, Long> trialEnd = new HashMap<>();
        for (DeploymentDecision d : history(loop)) {
            if (d.getAction() == DeploymentAction.TRIAL_STARTED) {
                trialEnd.put(d.getSubjectVersion(), Long.MAX_VALUE);
            } else if (trialEnd.containsKey(d.getSubjectVersion()) && trialEnd.get(d.getSubjectVersion()) == Long.MAX_VALUE) {
                trialEnd.put(d.getSubjectVersion(), d.getDecidedAt().toEpochMilli());
            }
        }
        long onCanary = 0;
        for (Map.Entry<String, Long> e : versionOf.entrySet()) {
            Long end = trialEnd.get(e.getValue());
            if (end != null && startedAt.get(e.getKey()) < end) {
                onCanary++;
                assertThat(CanaryAssignment.inCanary(e.getKey(), CANARY))
                        .as("episode %s was served by challenger v%d outside the canary share", e.getKey(), e.getValue()).isTrue();
            }
        }
        assertThat(onCanary).isPositive();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> scoredDone(loop).keySet().containsAll(finished));
        Map<String, Integer> scored = scoredDone(loop);
        assertThat(scored.values()).allMatch(n -> n == 1);
        assertThat(scored.keySet()).containsAll(finished);
    }

    /**
     * Under a gate the held-out curve is the champion's: the evaluator evaluates what serves all traffic, never a
     * challenger's canary share (the sabotaged challenger above all).
     */
    private static void assertTheHeldOutCurveEvaluatesChampionsOnly(LoopScenario loop, long sabotaged) {
        Set<Long> champions = new HashSet<>(Set.of(0L));
        history(loop).forEach(d -> champions.add(d.getChampionVersion()));
        Set<Long> evaluated = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(loop.settings, QstreamTopic.METRICS)) {
            MetricEvent e = Serdes.METRIC_EVENT.decode(r.value());
            if (e.getName().equals("eval.rougeL.f")) {
                evaluated.add(Long.parseLong(e.getTags().get("version")));
            }
        }
        assertThat(evaluated).hasSizeGreaterThan(1).doesNotContain(sabotaged);
        assertThat(champions).containsAll(evaluated);
    }

    /** Finished episodes on the scored topic (read_committed), with how often each appears. */
    private static Map<String, Integer> scoredDone(LoopScenario loop) {
        Map<String, Integer> count = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(loop.settings, QstreamTopic.SCORED)) {
            for (ScoredTransition s : ScoredRecords.steps(r.value())) {
                if (s.getTransition().getDone() && s.getTransition().getExploration() != ExplorationStrategy.UNKNOWN) {
                    count.merge(s.getTransition().getEpisodeId(), 1, Integer::sum);
                }
            }
        }
        return count;
    }
}
