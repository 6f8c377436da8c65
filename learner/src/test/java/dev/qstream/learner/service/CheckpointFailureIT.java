package dev.qstream.learner.service;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The checkpoint directory goes bad under a running learner: it stops being a writable directory, or the disk is
 * full. Each failed write is a clear error and a counted failure, training and publishing go on, the write is
 * retried, the checkpoint written before is never touched, and once the directory is healthy again checkpoints
 * resume by themselves.
 */
class CheckpointFailureIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Feeds random chain episodes (see {@link ChainMdpIT}) until told to stop. */
    private static Thread feed(KafkaSettings settings, AtomicBoolean feeding) {
        Thread t = new Thread(() -> {
            Random random = new Random(3);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("ckpt-producer"))) {
                while (feeding.get()) {
                    ScoredEpisode episode = ScoredEpisodeSteps.pack(ChainMdpIT.randomEpisode(random));
                    producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.SCORED),
                            episode.getEpisodeId().getBytes(StandardCharsets.UTF_8), Serdes.SCORED_EPISODE.encode(episode)));
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ckpt-feed");
        t.start();
        return t;
    }

    private interface Breakage {
        void breakIt() throws Exception;

        void repair() throws Exception;
    }

    private static void survives(String prefix, Path checkpoints, Breakage breakage) throws Exception {
        KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(prefix, 1, (short) 1), Map.of());
        Vocabulary vocabulary = Vocabulary.synthetic(3);
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = feed(settings, feeding);
        try (ServiceContext context = ServiceContext.start(settings, "learner", prefix + "-learner", Duration.ofSeconds(30), Duration.ofSeconds(1))) {
            LearnerConfig config = LearnerConfig.builder(prefix + "-learner", vocabulary.size(), vocabulary.fingerprint())
                    .hidden(16).replay(ReplayConfig.uniform(200_000)).minReplay(100).samplesPerInsert(4)
                    .publishEveryUpdates(50).checkpointDir(checkpoints).checkpointEvery(Duration.ofMillis(500))
                    .checkpointEveryUpdates(1_000_000).checkpointsKept(10).groupId(prefix + "-learner").build();
            LearnerService learner = LearnerService.start(config, context);
            try {
                CheckpointStore store = new CheckpointStore(checkpoints, 10);
                await().atMost(Duration.ofMinutes(1)).until(() -> !store.list().isEmpty());
                Path before = store.list().get(0);
                String beforeHash = sha256(before);
                long beforeUpdates = store.loadNewest().orElseThrow().updates();
                var failures = context.registry().get("learner.checkpoint.failures").counter();

                breakage.breakIt();
                double failedBefore = failures.count();
                long updatesAtBreak = learner.updates();
                long versionAtBreak = learner.publishedVersion();
                // Retried, again and again, while training and publishing go on.
                await().atMost(Duration.ofMinutes(1)).until(() -> failures.count() >= failedBefore + 3);
                await().atMost(Duration.ofMinutes(1)).until(() -> learner.updates() > updatesAtBreak + 200
                        && learner.publishedVersion() > versionAtBreak);
                assertThat(learner.failure()).isNull();

                breakage.repair();
                await().atMost(Duration.ofMinutes(1)).until(() -> store.loadNewest().map(c -> c.updates() > updatesAtBreak).orElse(false));
                assertThat(store.loadNewest().orElseThrow().updates()).isGreaterThan(beforeUpdates);
                assertThat(before).exists();
                assertThat(sha256(before)).as("the checkpoint written before the breakage").isEqualTo(beforeHash);
                try (var files = Files.list(checkpoints)) {
                    assertThat(files.map(p -> p.getFileName().toString())).as("no temp files left behind").noneMatch(n -> n.contains(".tmp"));
                }
            } finally {
                learner.close();
                feeding.set(false);
                feeder.join(10_000);
            }
        }
    }

    @Test
    void aCheckpointDirectoryThatStopsBeingWritableIsRetriedAndTrainingGoesOn(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Files.createDirectories(checkpoints);
        // Read-only permissions do not stop root, so the directory's parent is what breaks: the directory is kept
        // aside (its files untouched) and a plain file takes its name, so every write fails with an I/O error.
        Path aside = dir.resolve("checkpoints-aside");
        survives("ckpt-unwritable", checkpoints, new Breakage() {
            @Override
            public void breakIt() throws Exception {
                Files.move(checkpoints, aside);
                Files.writeString(checkpoints, "not a directory");
            }

            @Override
            public void repair() throws Exception {
                Files.delete(checkpoints);
                Files.move(aside, checkpoints);
            }
        });
    }

    @Test
    void aFullDiskIsRetriedAndTheCheckpointBeforeIsNeverCorrupted(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("small-disk");
        Files.createDirectories(checkpoints);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "qstream-it", checkpoints.toString()),
                "a full disk needs a small tmpfs, which needs mount privileges");
        try {
            survives("ckpt-full", checkpoints, new Breakage() {
                @Override
                public void breakIt() throws Exception {
                    // Fill what is left with a ballast file: the next checkpoint cannot fit.
                    byte[] block = new byte[64 * 1024];
                    try (var out = Files.newOutputStream(checkpoints.resolve("ballast"))) {
                        while (true) {
                            out.write(block);
                        }
                    } catch (IOException full) {
                        // No space left on device: that is the point.
                    }
                }

                @Override
                public void repair() throws Exception {
                    Files.delete(checkpoints.resolve("ballast"));
                    assertThat(run("mount", "-o", "remount,size=64m", checkpoints.toString())).isTrue();
                }
            });
        } finally {
            run("umount", "-l", checkpoints.toString());
        }
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
