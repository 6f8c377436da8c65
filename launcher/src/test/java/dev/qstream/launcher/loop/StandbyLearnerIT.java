package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.topics.TopicLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
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
 * Active and standby learners, each in its own JVM, sharing a checkpoint directory: the active one is SIGKILLed
 * under load and the standby takes over from the last checkpoint and the committed offsets; then the new active one
 * is frozen (SIGSTOP) past its lease and a fresh standby takes over, and when the frozen one wakes it is fenced: it
 * stops without publishing, so no version is ever published twice. At the end replay holds every produced
 * transition exactly once.
 */
class StandbyLearnerIT {

    private static final int PARTITIONS = 2;
    private static final Duration LEASE = Duration.ofSeconds(6); // the broker's smallest session timeout

    @Test
    void aStandbyTakesOverFromAKilledLearnerAndAFrozenOneIsFencedWhenItWakes(@TempDir Path dir) throws Exception {
        List<ChildJvm> learners = new ArrayList<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout("stby", PARTITIONS, (short) 1), Map.of());
            TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
            Path vocab = dir.resolve("vocab.txt");
            Vocabulary.synthetic(20).write(vocab);
            Path checkpoints = dir.resolve("checkpoints");
            CheckpointStore store = new CheckpointStore(checkpoints, 3);

            Set<String> produced = new HashSet<>();
            Thread producer = new Thread(() -> LearnerTopics.produce(settings, produced, producing), "episode-producer");
            producer.start();

            ChildJvm a = learner(broker, vocab, checkpoints, "learner-a", dir, learners);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> leaseHeld(a));
            ChildJvm b = learner(broker, vocab, checkpoints, "learner-b", dir, learners);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> store.list().size() >= 2 && LearnerTopics.maxVersion(settings) >= 3 && joined(b));
            assertThat(leaseHeld(b)).as("the second learner waits as a standby").isFalse();

            // 1. The active learner dies: the standby takes over.
            long versionBeforeKill = LearnerTopics.maxVersion(settings);
            long killed = System.nanoTime();
            a.kill();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() -> leaseHeld(b));
            double leaseSeconds = (System.nanoTime() - killed) / 1e9;
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> LearnerTopics.maxVersion(settings) > versionBeforeKill);
            double publishSeconds = (System.nanoTime() - killed) / 1e9;
            System.out.printf("standby takeover after SIGKILL: lease %.1f s, first new version %.1f s (lease timeout %d s)%n",
                    leaseSeconds, publishSeconds, LEASE.toSeconds());

            // 2. The new active learner freezes past its lease: a fresh standby takes over; woken, the old one stops.
            ChildJvm c = learner(broker, vocab, checkpoints, "learner-c", dir, learners);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> joined(c));
            signal("STOP", b);
            long frozen = System.nanoTime();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() -> leaseHeld(c));
            long versionAtTakeover = LearnerTopics.maxVersion(settings);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> LearnerTopics.maxVersion(settings) > versionAtTakeover);
            System.out.printf("standby takeover from a frozen learner: first new version %.1f s after SIGSTOP%n",
                    (System.nanoTime() - frozen) / 1e9);
            signal("CONT", b);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> !b.isAlive());
            // Woken, it finds itself fenced (whichever of its clients notices first) and stops.
            assertThat(Files.readString(b.log())).containsAnyOf("lost the learner lease", "FencedInstanceIdException",
                    "ProducerFencedException").contains("exiting so that a supervisor can restart it");

            Thread.sleep(2_000);
            producing.set(false);
            producer.join();
            Map<String, Long> end = LearnerTopics.endOffsets(settings, PARTITIONS);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Checkpoint last = store.loadNewest().orElse(null);
                return last != null && end.entrySet().stream().allMatch(e -> last.positions().getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
            c.stop(Duration.ofSeconds(40));

            // Never two learners on one version; versions only go up; nothing lost or replayed twice.
            List<Long> versions = LearnerTopics.versions(settings);
            assertThat(versions).isSorted().doesNotHaveDuplicates();
            List<String> inReplay = new ArrayList<>();
            for (StoredTransition t : store.loadNewest().orElseThrow().replay().transitions()) {
                inReplay.add(new UUID(t.episodeHi(), t.episodeLo()) + "#" + t.step());
            }
            assertThat(inReplay).doesNotHaveDuplicates();
            assertThat(new HashSet<>(inReplay)).isEqualTo(produced);
        } finally {
            producing.set(false);
            learners.forEach(ChildJvm::kill); // a failed run leaves no learner behind
        }
    }

    private static ChildJvm learner(EmbeddedKafkaBroker broker, Path vocab, Path checkpoints, String id, Path dir,
                                    List<ChildJvm> launched) throws Exception {
        List<String> args = List.of("learner", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "stby",
                "--partitions", String.valueOf(PARTITIONS), "--vocab", vocab.toString(), "--allow-unsigned-models",
                "--instance-id", id, "--hidden", "32", "--batch-size", "32", "--min-replay", "50",
                "--samples-per-insert", "4", "--publish-every-updates", "20", "--checkpoint-dir", checkpoints.toString(),
                "--checkpoint-every-updates", "40", "--checkpoint-every", "2s", "--replay-capacity", "100000",
                "--lease-timeout", LEASE.toSeconds() + "s");
        ChildJvm learner = ChildJvm.launch(id, List.of("-Xmx512m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g"), args,
                Map.of("OMP_NUM_THREADS", "1"), dir.resolve(id + ".log"));
        launched.add(learner);
        return learner;
    }

    private static boolean leaseHeld(ChildJvm learner) throws Exception {
        return Files.readString(learner.log()).contains("learner lease acquired");
    }

    private static boolean joined(ChildJvm learner) throws Exception {
        return Files.readString(learner.log()).contains("joined the lease");
    }

    private static void signal(String signal, ChildJvm process) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
        assertThat(exit).as("kill -%s", signal).isZero();
    }
}
