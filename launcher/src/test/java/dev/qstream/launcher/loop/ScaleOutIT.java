package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.tasks.simulator.TrafficSimulator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Horizontal scale-out: two actor instances share the prompts and two scorer instances the transitions through their
 * consumer groups, each a JVM of its own. Under load one actor and one scorer are SIGKILLed and not restarted: their
 * partitions move to the survivors (after the session timeout: both use static membership, which keeps a dead
 * member's partitions for a restart until then), and afterwards every finished episode is scored exactly once, the
 * killed actor's unfinished episodes are dead-lettered, and every prompt sent is answered. Rebalance times are
 * printed ("rebalance: ...") and recorded in docs/RELIABILITY.md.
 */
class ScaleOutIT {

    private static final int PARTITIONS = 4;
    private static final String PREFIX = "scale";
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EPISODE_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void killedActorAndScorerInstancesHandTheirPartitionsToTheSurvivorsAndNothingIsLostOrCountedTwice(@TempDir Path dir)
            throws Exception {
        List<ChildJvm> running = new ArrayList<>();
        TrafficSimulator traffic = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, PARTITIONS, (short) 1), Map.of());
            TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
            List<TaskPrompt> task = DataToTextTask.generate(5, 120);
            Path vocab = dir.resolve("vocab.txt");
            TaskVocabulary.of(task).write(vocab);
            // Every client of the services gets the shorter session timeout (the QSTREAM_KAFKA_* environment): a
            // killed instance's partitions move after 10 s instead of Kafka's default 45 s.
            Map<String, String> env = Map.of(ModelSigner.ENV_KEY, "scale-test-signing-key-0123456789", "OMP_NUM_THREADS", "1",
                    "QSTREAM_KAFKA_SESSION_TIMEOUT_MS", String.valueOf(SESSION_TIMEOUT.toMillis()));
            List<String> kafka = List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", PREFIX,
                    "--partitions", String.valueOf(PARTITIONS));
            for (int i = 1; i <= 2; i++) {
                running.add(ChildJvm.launch("scorer-" + i, List.of("-Xmx384m"), concat(List.of("scorer"), kafka,
                        List.of("--instance-id", "scorer-" + i, "--state-dir", dir.resolve("scorer-state-" + i).toString(),
                                "--episode-timeout", EPISODE_TIMEOUT.toSeconds() + "s")), env, dir.resolve("scorer-" + i + ".log")));
                running.add(ChildJvm.launch("actor-" + i, List.of("-Xmx512m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g"),
                        concat(List.of("actor"), kafka, List.of("--instance-id", "actor-" + i, "--vocab", vocab.toString(),
                                "--hidden", "32", "--max-tokens", "12", "--topic-concurrency", "8", "--http-port", "-1")),
                        env, dir.resolve("actor-" + i + ".log")));
            }
            String actors = PREFIX + "-actors";
            String scorers = PREFIX + "-scorer";
            traffic = new TrafficSimulator(settings, "scale-it", task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList(), 10, 7).start();

            // Both instances of each service hold partitions and work.
            await("two actors and two scorers sharing the partitions").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions() // the groups exist once their first member joined
                    .until(() -> membersWithPartitions(settings, actors) == 2 && membersWithPartitions(settings, scorers) == 2
                            && TopicContents.endOffsetSum(settings, QstreamTopic.SCORED) > 20 // a record per scored episode
                            && actorIds(EpisodeAccounting.read(settings)).containsAll(List.of("actor-1", "actor-2")));

            // One of each dies for good.
            long killed = System.nanoTime();
            for (ChildJvm c : List.of(running.get(3), running.get(2))) { // actor-2, scorer-2
                c.kill();
                while (c.isAlive()) {
                    Thread.sleep(20);
                }
            }
            Map<String, Double> rebalance = new TreeMap<>();
            await("the surviving actor holds every prompts partition").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> partitionsOf(settings, actors, "actor-1") == PARTITIONS);
            rebalance.put("actors (actor-1 holds all " + PARTITIONS + " prompts partitions)", (System.nanoTime() - killed) / 1e9);
            await("the surviving scorer holds every transitions partition").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> partitionsOf(settings, scorers, "scorer-1") >= PARTITIONS);
            rebalance.put("scorers (scorer-1 holds all " + PARTITIONS + " transitions partitions)", (System.nanoTime() - killed) / 1e9);
            long scoredAfterRebalance = TopicContents.endOffsetSum(settings, QstreamTopic.SCORED);
            await("the survivors go on").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> TopicContents.endOffsetSum(settings, QstreamTopic.SCORED) > scoredAfterRebalance + 20);
            rebalance.forEach((what, s) -> System.out.printf("rebalance: %s %.1f s after the kill (session timeout %d s)%n",
                    what, s, SESSION_TIMEOUT.toSeconds()));

            // Drain, then account for every episode and every prompt.
            long sent = traffic.sent();
            traffic.close();
            traffic = null;
            EpisodeAccounting.awaitStable(settings, QstreamTopic.TRANSITIONS);
            Thread.sleep(EPISODE_TIMEOUT.toMillis() + 5_000);
            EpisodeAccounting.awaitStable(settings, QstreamTopic.SCORED);
            EpisodeAccounting episodes = EpisodeAccounting.read(settings);
            episodes.assertScoredExactlyOnce(settings);
            episodes.assertUnfinishedAreDeadLettered(settings);
            // Every prompt record sent was answered: per prompt id, at least as many policy episodes as records (a
            // prompt the killed actor held is answered again by the survivor: at least once, never lost).
            Map<String, Integer> promptRecords = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.PROMPTS)) {
                promptRecords.merge(Serdes.PROMPT.decode(r.value()).getPromptId(), 1, Integer::sum);
            }
            Map<String, Integer> answers = new HashMap<>();
            episodes.byEpisode.values().stream().map(steps -> steps.get(0))
                    .filter(t -> t.getExploration() != ExplorationStrategy.DEMONSTRATION)
                    .forEach(t -> answers.merge(t.getPromptId(), 1, Integer::sum));
            assertThat(promptRecords.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo((int) sent);
            promptRecords.forEach((id, n) -> assertThat(answers.getOrDefault(id, 0)).as("episodes for prompt %s", id)
                    .isGreaterThanOrEqualTo(n));
            System.out.printf("scale-out: %d prompts sent, %d episodes finished, %d cut short by the kill%n", sent,
                    episodes.finished.size(), episodes.unfinished.size());
        } finally {
            if (traffic != null) {
                traffic.close();
            }
            running.forEach(ChildJvm::kill);
        }
    }

    private static Set<String> actorIds(EpisodeAccounting episodes) {
        Set<String> ids = new HashSet<>();
        episodes.byEpisode.values().forEach(steps -> steps.stream().map(Transition::getActorId).forEach(ids::add));
        return ids;
    }

    private static ConsumerGroupDescription describe(KafkaSettings settings, String group) throws Exception {
        try (Admin admin = Admin.create(settings.admin("scale-it-admin"))) {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        }
    }

    private static long membersWithPartitions(KafkaSettings settings, String group) throws Exception {
        return describe(settings, group).members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
    }

    /** Partitions assigned to the members whose static instance id starts with {@code instance} (Streams adds a suffix). */
    private static int partitionsOf(KafkaSettings settings, String group, String instance) throws Exception {
        int n = 0;
        for (MemberDescription m : describe(settings, group).members()) {
            if (m.groupInstanceId().map(id -> id.startsWith(instance)).orElse(false)) {
                n += (int) m.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().endsWith(".prompts") || tp.topic().endsWith(".transitions")).count();
            }
        }
        return n;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }
}
