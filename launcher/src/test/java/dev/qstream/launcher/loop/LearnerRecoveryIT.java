package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.replay.ScoredSteps;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
            Thread producer = new Thread(() -> produce(settings, produced, producing), "episode-producer");
            producer.start();

            ChildJvm first = ChildJvm.launch("learner", jvm, args, Map.of("OMP_NUM_THREADS", "1"), dir.resolve("learner-1.log"));
            CheckpointStore store = new CheckpointStore(checkpoints, 3);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> store.list().size() >= 2 && maxVersion(settings) >= 3);
            first.kill(); // SIGKILL: no shutdown hook, no final checkpoint
            while (first.isAlive()) {
                Thread.sleep(50);
            }
            long versionBeforeKill = maxVersion(settings);

            long restart = System.nanoTime();
            ChildJvm second = ChildJvm.launch("learner", jvm, args, Map.of("OMP_NUM_THREADS", "1"), dir.resolve("learner-2.log"));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> maxVersion(settings) > versionBeforeKill);
            double recoverySeconds = (System.nanoTime() - restart) / 1e9;
            System.out.printf("learner recovery: first new model version %.1f s after restart%n", recoverySeconds);

            Thread.sleep(3_000);
            producing.set(false);
            producer.join();
            Map<String, Long> end = endOffsets(settings);
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

            List<Long> versions = versions(settings);
            assertThat(versions).isSorted().doesNotHaveDuplicates();
            assertThat(versions.get(versions.size() - 1)).isGreaterThan(versionBeforeKill);
        }
    }

    private static void produce(KafkaSettings settings, Set<String> produced, AtomicBoolean producing) {
        Random random = new Random(5);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("recovery-producer"))) {
            while (producing.get()) {
                int length = 1 + random.nextInt(6);
                int[] actions = random.ints(length, Vocabulary.SPECIAL_TOKENS, 23).toArray();
                double[] rewards = random.doubles(length).toArray();
                UUID id = UUID.randomUUID();
                for (ScoredTransition s : ScoredSteps.episode(id, new int[]{5, 6}, actions, rewards, null)) {
                    producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.SCORED), id.toString().getBytes(StandardCharsets.UTF_8),
                            Serdes.SCORED_TRANSITION.encode(s)));
                    synchronized (produced) {
                        produced.add(id + "#" + s.getTransition().getStep());
                    }
                }
                producer.flush();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Long> endOffsets(KafkaSettings settings) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer("end-reader", null))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                parts.add(new TopicPartition(settings.topic(QstreamTopic.SCORED), p));
            }
            Map<String, Long> end = new HashMap<>();
            c.endOffsets(parts).forEach((tp, o) -> end.put(Checkpoint.positionKey(tp.topic(), tp.partition()), o));
            return end;
        }
    }

    private static long maxVersion(KafkaSettings settings) {
        return versions(settings).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Versions on the model topic in publication order (chunk 0 of each). */
    private static List<Long> versions(KafkaSettings settings) {
        List<Long> versions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer("model-reader", null))) {
            TopicPartition tp = new TopicPartition(settings.topic(QstreamTopic.MODEL), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 10_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    ModelUpdate u = Serdes.MODEL_UPDATE.decode(r.value());
                    if (u.getChunkIndex() == 0) {
                        versions.add(u.getVersion());
                    }
                }
            }
        }
        return versions;
    }
}
