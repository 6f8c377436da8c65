package dev.qstream.scorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Exactly once through a crash: the scorer runs in a child JVM while transitions (duplicated, out of order) and
 * feedback stream in; the child is killed with SIGKILL mid-run, a new one starts on the same state directory, and a
 * {@code read_committed} reader proves that every step of every episode was scored exactly once, every episode
 * summarised once and every feedback event corrected once — nothing lost, nothing twice.
 */
class ScorerExactlyOnceIT {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerExactlyOnceIT.class);
    private static final String APP = "eos-it-scorer";
    private static final int EPISODES = 400;
    private static final int FEEDBACK = 80;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void aKilledScorerRestartsWithoutLosingOrDuplicatingAnything(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral()
                .withOverrides(Map.of("group.min.session.timeout.ms", "1000")))) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
            TopicBootstrap.ensureTopics(kafka, Duration.ofSeconds(30));
            Workload work = new Workload(new Random(20261128));

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("eos-it-input"));
                 Reader reader = new Reader(kafka)) {
                work.prompts.forEach(p -> producer.send(new ProducerRecord<>(kafka.topic(QstreamTopic.PROMPTS),
                        bytes(p.getPromptId()), Serdes.PROMPT.encode(p))));
                producer.flush();

                // Input arrives while the scorer runs; the last 30% only after the kill, so the kill is mid-run.
                CountDownLatch killed = new CountDownLatch(1);
                AtomicReference<Throwable> producerFailure = new AtomicReference<>();
                Thread feeder = new Thread(() -> {
                    try {
                        List<ProducerRecord<byte[], byte[]>> all = work.deliveries(kafka);
                        int beforeKill = all.size() * 7 / 10;
                        for (int i = 0; i < all.size(); i++) {
                            if (i == beforeKill) {
                                producer.flush();
                                killed.await();
                            }
                            producer.send(all.get(i));
                            if (i < beforeKill) {
                                Thread.sleep(2); // a steady stream while the first instance runs, not one burst
                            }
                        }
                        producer.flush();
                    } catch (Throwable e) {
                        producerFailure.set(e);
                    }
                }, "eos-it-feeder");
                Path state = dir.resolve("state");
                Process first = startChild(broker.bootstrapServers(), state, dir.resolve("child-1.log"));
                awaitRunning(dir.resolve("child-1.log"));
                feeder.start();
                int expectedSteps = work.expectedSteps.size();
                // Kill once some output is committed and more is in the log uncommitted: mid-transaction.
                reader.pollUntil(() -> reader.scored.size() >= expectedSteps / 10 && reader.transactionOpen(),
                        Duration.ofSeconds(60), "committed output and an open transaction");
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: the open transaction stays open
                int committedAtKill = reader.scored.size();
                killed.countDown();
                LOG.info("killed the scorer with {} of {} scored transitions committed", committedAtKill, expectedSteps);
                assertThat(committedAtKill).as("the kill came before the work was done").isLessThan(expectedSteps);

                startChild(broker.bootstrapServers(), state, dir.resolve("child-2.log"));
                feeder.join(60_000);
                assertThat(producerFailure.get()).isNull();
                reader.pollUntil(() -> reader.scored.size() >= expectedSteps && reader.corrections.size() >= FEEDBACK
                        && reader.generations.size() >= EPISODES, Duration.ofSeconds(90), "all output after the restart");
                reader.pollFor(Duration.ofSeconds(3)); // anything extra (a duplicate) would show up now

                List<String> steps = reader.scored.stream()
                        .map(s -> s.getTransition().getEpisodeId() + "/" + s.getTransition().getStep()).toList();
                assertThat(steps).doesNotHaveDuplicates();
                assertThat(new HashSet<>(steps)).isEqualTo(work.expectedSteps);
                assertThat(reader.generations.stream().map(e -> e.getEpisodeId().toString()).toList())
                        .doesNotHaveDuplicates().hasSize(EPISODES);
                assertThat(reader.corrections.stream().map(c -> c.getFeedbackId().toString()).toList())
                        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(work.feedbackIds);
                // The killed instance had sent part of its open transaction (linger 0): those records are in the log,
                // aborted. A read_uncommitted reader sees them; the read_committed one above did not.
                long uncommitted = reader.countUncommittedScored();
                LOG.info("read_uncommitted sees {} scored records, read_committed {}: {} were aborted with the killed instance",
                        uncommitted, steps.size(), uncommitted - steps.size());
                assertThat(uncommitted).as("the kill left an open transaction behind").isGreaterThan(steps.size());
            }
        }
    }

    /** The child prints its Streams state changes; input should flow while it processes, not pile up before. */
    private static void awaitRunning(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("-> RUNNING")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the scorer child did not reach RUNNING; see " + log);
            }
            Thread.sleep(100);
        }
    }

    private Process startChild(String bootstrap, Path state, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ScorerChildProcess.class.getName(), bootstrap, state.toString(), APP)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Prompts, episodes (some steps twice, some episodes out of order) and feedback, with what must come out. */
    private static final class Workload {
        final List<Prompt> prompts = new ArrayList<>();
        final List<List<Transition>> episodes = new ArrayList<>();
        final Set<String> expectedSteps = new HashSet<>();
        final List<String> feedbackIds = new ArrayList<>();
        private final Random rnd;

        Workload(Random rnd) {
            this.rnd = rnd;
            String[] words = "the cat sat on a mat near the old river bank in the warm evening light".split(" ");
            for (int p = 0; p < 10; p++) {
                prompts.add(Prompt.newBuilder().setPromptId("eos-" + p).setText("describe " + p)
                        .setReferences(List.of(String.join(" ", List.of(words).subList(p, p + 6)))).setTask("eos")
                        .setCreatedAt(Instant.now()).build());
            }
            for (int e = 0; e < EPISODES; e++) {
                UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
                int n = 4 + rnd.nextInt(10);
                List<Transition> steps = new ArrayList<>();
                List<Integer> prefix = new ArrayList<>();
                for (int s = 0; s < n; s++) {
                    boolean done = s == n - 1;
                    steps.add(Transition.newBuilder().setEpisodeId(id.toString()).setPromptId("eos-" + rnd.nextInt(10))
                            .setActorId("it").setStep(s).setPromptTokens(List.of(1, 2, 3)).setPrefixTokens(new ArrayList<>(prefix))
                            .setAction(10 + s).setActionToken(done ? "" : words[rnd.nextInt(words.length)])
                            .setValidActions(null).setDone(done).setEndReason(done ? EndReason.END_OF_SEQUENCE : null)
                            .setPolicyVersion(1).setBehaviourProbability(1.0).setExploration(ExplorationStrategy.GREEDY)
                            .setCreatedAt(System.currentTimeMillis()).build());
                    prefix.add(10 + s);
                    expectedSteps.add(id + "/" + s);
                }
                // Every step of an episode names one prompt.
                String promptId = steps.get(0).getPromptId();
                steps.forEach(t -> t.setPromptId(promptId));
                episodes.add(steps);
            }
        }

        /** Every record to send, in order: episodes interleaved, their steps sometimes shuffled or repeated. */
        List<ProducerRecord<byte[], byte[]>> deliveries(KafkaSettings kafka) {
            List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
            String transitions = kafka.topic(QstreamTopic.TRANSITIONS);
            for (List<Transition> steps : episodes) {
                List<Transition> order = new ArrayList<>(steps);
                if (rnd.nextInt(4) == 0) {
                    Collections.shuffle(order, rnd);
                }
                if (rnd.nextInt(3) == 0) {
                    order.add(order.get(rnd.nextInt(order.size()))); // a producer retry delivers one step twice
                }
                for (Transition t : order) {
                    out.add(new ProducerRecord<>(transitions, bytes(t.getEpisodeId()), Serdes.TRANSITION.encode(t)));
                }
            }
            // Feedback for some episodes (their scored reward gets a correction: human weight is 0 by default, so
            // episodes are scored at once), each event sent twice: counted once.
            String feedback = kafka.topic(QstreamTopic.FEEDBACK);
            for (int i = 0; i < FEEDBACK; i++) {
                String episode = episodes.get(i * (EPISODES / FEEDBACK)).get(0).getEpisodeId();
                UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
                Feedback f = Feedback.newBuilder().setFeedbackId(id).setEpisodeId(UUID.fromString(episode))
                        .setKind(FeedbackKind.THUMBS).setValue(rnd.nextBoolean() ? 1.0 : -1.0).setSource("it")
                        .setCreatedAt(Instant.now()).build();
                feedbackIds.add(id.toString());
                byte[] value = Serdes.FEEDBACK.encode(f);
                out.add(new ProducerRecord<>(feedback, bytes(episode), value));
                out.add(new ProducerRecord<>(feedback, bytes(episode), value));
            }
            return out;
        }
    }

    /** A read_committed reader of the scorer's outputs, from the beginning. */
    private static final class Reader implements AutoCloseable {
        final List<ScoredTransition> scored = new ArrayList<>();
        final List<Episode> generations = new ArrayList<>();
        final List<RewardCorrection> corrections = new ArrayList<>();
        private final KafkaSettings kafka;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaConsumer<byte[], byte[]> uncommitted;

        Reader(KafkaSettings kafka) {
            this.kafka = kafka;
            this.consumer = consumer("read_committed");
            this.uncommitted = consumer("read_uncommitted");
        }

        /**
         * Whether a transaction is open with records in the scored topic's log: a partition's high watermark (the
         * read_uncommitted end) above its last stable offset (the read_committed end).
         */
        boolean transactionOpen() {
            List<TopicPartition> scoredPartitions = consumer.assignment().stream()
                    .filter(p -> p.topic().equals(kafka.topic(QstreamTopic.SCORED))).toList();
            Map<TopicPartition, Long> stable = consumer.endOffsets(scoredPartitions);
            Map<TopicPartition, Long> high = uncommitted.endOffsets(scoredPartitions);
            return scoredPartitions.stream().anyMatch(p -> high.get(p) > stable.get(p));
        }

        private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
            Properties props = kafka.consumer("eos-it-reader-" + isolation, null);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props);
            List<TopicPartition> partitions = new ArrayList<>();
            for (QstreamTopic t : List.of(QstreamTopic.SCORED, QstreamTopic.GENERATIONS, QstreamTopic.REWARDS_LATE)) {
                c.partitionsFor(kafka.topic(t)).forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            return c;
        }

        void pollOnce() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.topic().equals(kafka.topic(QstreamTopic.SCORED))) {
                    scored.addAll(ScoredRecords.steps(r.value())); // an episode per record, counted by its steps
                } else if (r.topic().equals(kafka.topic(QstreamTopic.GENERATIONS))) {
                    generations.add(Serdes.EPISODE.decode(r.value()));
                } else {
                    corrections.add(Serdes.REWARD_CORRECTION.decode(r.value()));
                }
            }
        }

        void pollUntil(BooleanSupplier done, Duration timeout, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for " + what + ": " + scored.size() + " scored, "
                            + generations.size() + " summaries, " + corrections.size() + " corrections");
                }
                pollOnce();
            }
        }

        void pollFor(Duration d) {
            long end = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < end) {
                pollOnce();
            }
        }

        /** Scored steps including those of aborted transactions (what a read_uncommitted reader would see). */
        long countUncommittedScored() {
            try (KafkaConsumer<byte[], byte[]> c = consumer("read_uncommitted")) {
                Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
                long count = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                Map<TopicPartition, Long> position = new HashMap<>();
                while (System.nanoTime() < deadline && !reachedEnd(c, end, position)) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(kafka.topic(QstreamTopic.SCORED))) {
                            count += ScoredRecords.steps(r.value()).size();
                        }
                    }
                }
                return count;
            }
        }

        private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end,
                                          Map<TopicPartition, Long> position) {
            for (TopicPartition p : end.keySet()) {
                position.put(p, c.position(p));
            }
            return end.entrySet().stream().allMatch(e -> position.get(e.getKey()) >= e.getValue());
        }

        @Override
        public void close() {
            consumer.close();
            uncommitted.close();
        }
    }
}
