package dev.qstream.launcher.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.tasks.simulator.TrafficSimulator;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The loop under steady traffic, each service a JVM of its own as {@code qstream up} runs them; the actor, then the
 * scorer, then the learner is killed with SIGKILL (no shutdown hook runs) and started again. Afterwards the topics
 * and the learner's last checkpoint prove that nothing was lost and nothing counted twice:
 * <ul>
 *   <li>every transition of a finished episode on {@code qstream.transitions} is on {@code qstream.scored} exactly
 *   once, and in replay exactly once;</li>
 *   <li>the episodes the killed actor left unfinished are dead-lettered as EPISODE_TIMEOUT, not silently dropped;</li>
 *   <li>model versions on {@code qstream.model} only ever increase, and the restarted actor serves at least the
 *   version it served before.</li>
 * </ul>
 * Each recovery time is printed ("recovery: ...") and recorded in docs/RELIABILITY.md.
 */
class KillEachServiceIT {

    private static final int PARTITIONS = 2;
    private static final String PREFIX = "kill";
    private static final Duration EPISODE_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void killingEachServiceLosesNothingAndCountsNothingTwice(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, PARTITIONS, (short) 1), Map.of());
            TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
            List<TaskPrompt> task = DataToTextTask.generate(3, 120);
            Path vocab = dir.resolve("vocab.txt");
            TaskVocabulary.of(task).write(vocab);
            Path checkpoints = dir.resolve("checkpoints");
            int httpPort = freePort();
            String signingKey = "kill-test-signing-key-0123456789";
            Map<String, String> env = Map.of(ModelSigner.ENV_KEY, signingKey, "OMP_NUM_THREADS", "1");
            List<String> kafka = List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", PREFIX,
                    "--partitions", String.valueOf(PARTITIONS));
            Map<String, List<String>> args = new LinkedHashMap<>();
            args.put("scorer", concat(List.of("scorer"), kafka, List.of("--instance-id", "scorer-1",
                    "--state-dir", dir.resolve("scorer-state").toString(), "--episode-timeout", EPISODE_TIMEOUT.toSeconds() + "s")));
            args.put("learner", concat(List.of("learner"), kafka, List.of("--instance-id", "learner-1", "--vocab", vocab.toString(),
                    "--hidden", "32", "--batch-size", "32", "--min-replay", "100", "--samples-per-insert", "2",
                    "--publish-every-updates", "20", "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "2s",
                    "--replay-capacity", "200000")));
            args.put("actor", concat(List.of("actor"), kafka, List.of("--instance-id", "actor-1", "--vocab", vocab.toString(),
                    "--hidden", "32", "--max-tokens", "12", "--topic-concurrency", "8", "--http-port", String.valueOf(httpPort))));
            Map<String, List<String>> jvm = Map.of(
                    "scorer", List.of("-Xmx384m"),
                    "learner", List.of("-Xmx768m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g"),
                    "actor", List.of("-Xmx512m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g"));
            Map<String, ChildJvm> running = new HashMap<>();
            Map<String, Integer> launches = new HashMap<>();
            ServiceLauncher launch = name -> {
                int n = launches.merge(name, 1, Integer::sum);
                ChildJvm c = ChildJvm.launch(name, jvm.get(name), args.get(name), env, dir.resolve(name + "-" + n + ".log"));
                running.put(name, c);
                return c;
            };
            Map<String, Double> recovery = new TreeMap<>();
            long[] actorKilledAt = {0};
            TrafficSimulator traffic = null;
            try {
                for (String name : args.keySet()) {
                    launch.start(name);
                }
                traffic = new TrafficSimulator(settings, "kill-it", train(task), 8, 3).start();
                await("a trained model served").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> servedModelVersion(httpPort) >= 2);

                // The actor: in-flight episodes die with it; the restarted one serves at least what it served.
                long servedBefore = servedModelVersion(httpPort);
                kill(running.get("actor"));
                actorKilledAt[0] = System.currentTimeMillis();
                long restart = System.nanoTime();
                launch.start("actor");
                await("the restarted actor answers").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> servedModelVersion(httpPort) >= servedBefore);
                recovery.put("actor (HTTP answering with the served model again)", seconds(restart));

                // The scorer: exactly-once state and output across the kill.
                awaitGrowth(settings, QstreamTopic.SCORED, Duration.ofMinutes(1));
                kill(running.get("scorer"));
                long scoredAtKill = TopicContents.endOffsetSum(settings, QstreamTopic.SCORED);
                restart = System.nanoTime();
                launch.start("scorer");
                await("the restarted scorer commits new output").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> TopicContents.endOffsetSum(settings, QstreamTopic.SCORED) > scoredAtKill);
                recovery.put("scorer (first scored output committed)", seconds(restart));

                // The learner: replay and training resume from the last checkpoint.
                CheckpointStore store = new CheckpointStore(checkpoints, 3);
                await("a learner checkpoint").atMost(Duration.ofMinutes(1)).until(() -> !store.list().isEmpty());
                kill(running.get("learner"));
                long versionAtKill = maxVersion(modelVersions(settings));
                restart = System.nanoTime();
                launch.start("learner");
                await("the restarted learner publishes").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> maxVersion(modelVersions(settings)) > versionAtKill);
                recovery.put("learner (first new model version published)", seconds(restart));

                // Enough traffic for the counts below to mean something, however slow the machine: a condition,
                // not a duration (the kills above take as long as they take).
                TrafficSimulator sending = traffic;
                await("240 prompts sent").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> sending.sent() >= 240);

                // Drain: no more traffic, the actor finishes what it holds, the scorer scores it (and times out the
                // episodes the first actor left unfinished), the learner checkpoints everything scored.
                traffic.close();
                traffic = null;
                EpisodeAccounting.awaitStable(settings, QstreamTopic.TRANSITIONS);
                Thread.sleep(EPISODE_TIMEOUT.toMillis() + 5_000);
                EpisodeAccounting.awaitStable(settings, QstreamTopic.SCORED);
                Map<String, Long> scoredEnd = lastRecordPositions(settings, QstreamTopic.SCORED);
                await("a checkpoint covering all scored output").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                        .until(() -> store.loadNewest().map(c -> covers(c, scoredEnd)).orElse(false));
                for (String name : List.of("actor", "scorer", "learner")) {
                    running.get(name).stop(Duration.ofSeconds(30));
                }
            } finally {
                if (traffic != null) {
                    traffic.close();
                }
                running.values().forEach(ChildJvm::kill);
            }
            recovery.forEach((what, s) -> System.out.printf("recovery: %s after restart: %.1f s%n", what, s));

            // What the actors emitted, by episode; scored exactly once; the killed actor's unfinished episodes are
            // dead letters with a reason, not silently gone.
            EpisodeAccounting episodes = EpisodeAccounting.read(settings);
            Map<String, List<Transition>> byEpisode = episodes.byEpisode;
            Set<String> finished = episodes.finished;
            Set<String> unfinished = episodes.unfinished;
            Set<String> expectedSteps = episodes.expectedSteps;
            assertThat(finished).hasSizeGreaterThan(200);
            episodes.assertScoredExactlyOnce(settings);
            episodes.assertUnfinishedAreDeadLettered(settings);
            System.out.printf("episodes: %d finished, %d cut short by the actor's kill%n", finished.size(), unfinished.size());
            for (String episode : unfinished) {
                assertThat(byEpisode.get(episode)).as("an unfinished episode is one the killed actor was writing")
                        .allSatisfy(t -> assertThat(t.getCreatedAt()).isLessThanOrEqualTo(actorKilledAt[0]));
            }

            // Held in replay exactly once.
            Checkpoint last = new CheckpointStore(checkpoints, 3).loadNewest().orElseThrow();
            List<String> inReplay = new ArrayList<>();
            for (StoredTransition t : last.replay().transitions()) {
                inReplay.add(new UUID(t.episodeHi(), t.episodeLo()) + "#" + t.step());
            }
            assertThat(inReplay).doesNotHaveDuplicates();
            assertThat(new HashSet<>(inReplay)).isEqualTo(expectedSteps);

            // The signing key reached every service through the environment and none of them ever printed it.
            try (var logs = Files.list(dir)) {
                List<Path> files = logs.filter(p -> p.toString().endsWith(".log")).toList();
                assertThat(files).hasSizeGreaterThanOrEqualTo(6);
                for (Path log : files) {
                    assertThat(Files.readString(log)).as(log.getFileName().toString()).doesNotContain(signingKey);
                }
            }

            // Model versions only ever increase.
            List<Long> versions = modelVersions(settings);
            assertThat(versions).isSorted().doesNotHaveDuplicates();
            assertThat(recovery).hasSize(3);
        }
    }

    @FunctionalInterface
    private interface ServiceLauncher {
        ChildJvm start(String name) throws Exception;
    }

    private static List<TaskPrompt> train(List<TaskPrompt> task) {
        return task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
    }

    private static void kill(ChildJvm child) throws InterruptedException {
        child.kill(); // SIGKILL: no shutdown hook, no final commit or checkpoint
        while (child.isAlive()) {
            Thread.sleep(20);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** The model version the actor's HTTP API answers with; -1 while it does not answer. */
    private static long servedModelVersion(int port) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/generate"))
                    .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"name: Alba | food: pizza\",\"references\":[\"alba serves pizza\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            JsonNode body = JSON.readTree(r.body());
            return body.get("modelVersion").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void awaitGrowth(KafkaSettings settings, QstreamTopic topic, Duration within) {
        long before = TopicContents.endOffsetSum(settings, topic);
        await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> TopicContents.endOffsetSum(settings, topic) > before + 50);
    }

    /**
     * The position just past each partition's last record. Not the end offset: the scorer writes transactionally, so
     * a commit marker follows its last record, and a reader's recorded position stops before it.
     */
    private static Map<String, Long> lastRecordPositions(KafkaSettings settings, QstreamTopic topic) {
        Map<String, Long> positions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, topic)) {
            positions.merge(Checkpoint.positionKey(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
        return positions;
    }

    private static boolean covers(Checkpoint c, Map<String, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> c.positions().getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Versions on the model topic in publication order (chunk 0 of each). */
    private static List<Long> modelVersions(KafkaSettings settings) {
        List<Long> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.MODEL)) {
            ModelUpdate u = Serdes.MODEL_UPDATE.decode(r.value());
            if (u.getChunkIndex() == 0) {
                versions.add(u.getVersion());
            }
        }
        return versions;
    }

    private static long maxVersion(List<Long> versions) {
        return versions.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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
