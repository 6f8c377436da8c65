package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.topics.TopicLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kill -9 the learner mid-training and restart it: model versions go on increasing from where they stopped, and
 * replay ends up holding every transition that was produced exactly once (nothing lost, nothing duplicated).
 */
class LearnerRecoveryIT {

    private static final int PARTITIONS = 2;

    @Test
    void aLearnerKilledMidTrainingResumesWithoutLosingOrDuplicatingAnything(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout("rec", PARTITIONS, (short) 1), Map.of());
            TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
            Vocabulary vocabulary = Vocabulary.synthetic(20);
            Path vocab = dir.resolve("vocab.txt");
            vocabulary.write(vocab);
            Path checkpoints = dir.resolve("checkpoints");
            List<String> args = List.of("learner", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "rec",
                    "--partitions", String.valueOf(PARTITIONS), "--vocab", vocab.toString(), "--allow-unsigned-models",
                    "--instance-id", "learner-rec", "--hidden", "32", "--batch-size", "32", "--min-replay", "50",
                    "--samples-per-insert", "4", "--publish-every-updates", "20", "--checkpoint-dir", checkpoints.toString(),
                    "--checkpoint-every-updates", "40", "--checkpoint-every", "2s", "--replay-capacity", "100000");
            List<String> jvm = List.of("-Xmx512m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g");

            Set<String> produced = new HashSet<>();
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = new Thread(() -> LearnerTopics.produce(settings, produced, producing), "episode-producer");
            producer.start();

            ChildJvm first = ChildJvm.launch("learner", jvm, args, Map.of("OMP_NUM_THREADS", "1"), dir.resolve("learner-1.log"));
            CheckpointStore store = new CheckpointStore(checkpoints, 3);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> store.list().size() >= 2 && LearnerTopics.maxVersion(settings) >= 3);
            first.kill(); // SIGKILL: no shutdown hook, no final checkpoint
            while (first.isAlive()) {
                Thread.sleep(50);
            }
            long versionBeforeKill = LearnerTopics.maxVersion(settings);

            long restart = System.nanoTime();
            ChildJvm second = ChildJvm.launch("learner", jvm, args, Map.of("OMP_NUM_THREADS", "1"), dir.resolve("learner-2.log"));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> LearnerTopics.maxVersion(settings) > versionBeforeKill);
            double recoverySeconds = (System.nanoTime() - restart) / 1e9;
            System.out.printf("learner recovery: first new model version %.1f s after restart%n", recoverySeconds);

            Thread.sleep(3_000);
            producing.set(false);
            producer.join();
            Map<String, Long> end = LearnerTopics.endOffsets(settings, PARTITIONS);
            // Wait until a checkpoint covers everything produced, then stop cleanly.
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Checkpoint c = store.loadNewest().orElse(null);
                return c != null && end.entrySet().stream().allMatch(e -> c.positions().getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
            second.stop(Duration.ofSeconds(40));

            Checkpoint last = store.loadNewest().orElseThrow();
            List<String> inReplay = new ArrayList<>();
            for (StoredTransition t : last.replay().transitions()) {
                inReplay.add(new UUID(t.episodeHi(), t.episodeLo()) + "#" + t.step());
            }
            assertThat(inReplay).doesNotHaveDuplicates();
            assertThat(new HashSet<>(inReplay)).isEqualTo(produced);

            List<Long> versions = LearnerTopics.versions(settings);
            assertThat(versions).isSorted().doesNotHaveDuplicates();
            assertThat(versions.get(versions.size() - 1)).isGreaterThan(versionBeforeKill);
        }
    }

}
