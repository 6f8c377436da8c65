package dev.qstream.bench;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.scorer.stream.ScorerConfig;
import dev.qstream.scorer.stream.ScorerTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes.ByteArraySerde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * The scorer topology on the embedded broker with exactly-once, next to a plain exactly-once pass-through topology
 * (bytes in, bytes out, same topic, same settings), both reading the same pre-filled transitions topic in the same
 * run: the pass-through is what Kafka Streams with EOS costs here before any scoring. The two run in turns, one
 * round after another (each a fresh application reading the input from the start), so that load from elsewhere on
 * a shared machine falls on both alike; then, optionally, both again with more stream threads (scale-out).
 */
final class ScorerTopologyBench {

    /**
     * One topology's figures: all records from RUNNING to the last output seen, and the steady-state records and
     * seconds between its first and last commit.
     */
    /** @param startupSeconds from {@code start()} to the first committed input (state stores opened and restored) */
    record Result(long records, double seconds, long steadyRecords, double steadySeconds, double startupSeconds) {
        double perSecond() {
            return records / seconds;
        }

        double steadyPerSecond() {
            return steadyRecords / steadySeconds;
        }
    }

    /** Every round's pass-through and scorer figures, and the scale-out figures by stream-thread count. */
    record Results(long input, List<Result> passThrough, List<Result> scorer, List<Integer> scaleThreads,
                   List<Result> scalePassThrough, List<Result> scaleScorer) {

        Result bestPassThrough() {
            return best(passThrough);
        }

        Result bestScorer() {
            return best(scorer);
        }

        double bestSteadyPassThrough() {
            return passThrough.stream().mapToDouble(Result::steadyPerSecond).max().orElseThrow();
        }

        double bestSteadyScorer() {
            return scorer.stream().mapToDouble(Result::steadyPerSecond).max().orElseThrow();
        }

        private static Result best(List<Result> rs) {
            return rs.stream().max(Comparator.comparingDouble(Result::perSecond)).orElseThrow();
        }
    }

    private final int episodes;
    private final int steps;
    private final int threads;
    private final int rounds;
    private final List<Integer> scaleThreads;
    private final boolean threadMetrics;

    ScorerTopologyBench(int episodes, int steps, int threads, int rounds, List<Integer> scaleThreads, boolean threadMetrics) {
        this.episodes = episodes;
        this.steps = steps;
        this.threads = threads;
        this.rounds = rounds;
        this.scaleThreads = scaleThreads;
        this.threadMetrics = threadMetrics;
    }

    Results run() throws Exception {
        Path work = Files.createTempDirectory("qstream-bench-scorer-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral()
                .withOverrides(Map.of("log.cleaner.dedupe.buffer.size", "4194304")))) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
            TopicBootstrap.ensureTopics(kafka, Duration.ofSeconds(20));
            String copy = kafka.layout().prefix() + ".bench.passthrough";
            try (Admin admin = Admin.create(kafka.admin("bench-admin"))) {
                admin.createTopics(List.of(new NewTopic(copy, kafka.layout().partitions(QstreamTopic.TRANSITIONS),
                        (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            long total = fill(kafka);
            System.out.printf("input: %,d transitions (%,d episodes of %d steps) on %d partitions%n", total, episodes,
                    steps, kafka.layout().partitions(QstreamTopic.TRANSITIONS));

            List<Result> pass = new ArrayList<>();
            List<Result> scorer = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                pass.add(passThrough(kafka, copy, total, threads, "r" + r, work));
                scorer.add(scorer(kafka, total, threads, "r" + r, work));
                Result p = pass.get(r - 1);
                Result sc = scorer.get(r - 1);
                System.out.printf("round %d: EOS pass-through %,.0f records/s (%.1f s), EOS scorer %,.0f scored transitions/s"
                                + " (%.1f s): %.2f; steady state %,.0f vs %,.0f: %.2f; first commit %.2f s vs %.2f s after"
                                + " start%n", r, p.perSecond(), p.seconds(),
                        sc.perSecond(), sc.seconds(), sc.perSecond() / p.perSecond(), p.steadyPerSecond(),
                        sc.steadyPerSecond(), sc.steadyPerSecond() / p.steadyPerSecond(), p.startupSeconds(),
                        sc.startupSeconds());
            }
            List<Result> scalePass = new ArrayList<>();
            List<Result> scaleScorer = new ArrayList<>();
            for (int n : scaleThreads) {
                scalePass.add(passThrough(kafka, copy, total, n, "t" + n, work));
                scaleScorer.add(scorer(kafka, total, n, "t" + n, work));
                System.out.printf("%d stream thread(s): EOS pass-through %,.0f records/s, EOS scorer %,.0f scored transitions/s"
                                + " (steady state %,.0f and %,.0f)%n", n, scalePass.get(scalePass.size() - 1).perSecond(),
                        scaleScorer.get(scaleScorer.size() - 1).perSecond(),
                        scalePass.get(scalePass.size() - 1).steadyPerSecond(),
                        scaleScorer.get(scaleScorer.size() - 1).steadyPerSecond());
            }
            return new Results(total, pass, scorer, scaleThreads, scalePass, scaleScorer);
        } finally {
            try (var paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Result passThrough(KafkaSettings kafka, String copy, long total, int streamThreads, String run, Path work)
            throws Exception {
        String id = "bench-passthrough-" + run;
        return measure(kafka, passThrough(kafka.topic(QstreamTopic.TRANSITIONS), copy), id, copy, total, total,
                streamThreads, work.resolve(id), null);
    }

    private Result scorer(KafkaSettings kafka, long total, int streamThreads, String run, Path work) throws Exception {
        String id = "bench-scorer-" + run;
        ScorerConfig config = ScorerConfig.defaults(kafka.layout(), work.resolve(id)).withApplicationId(id);
        // One record out per episode, holding its steps: after the clock stops, they must add up to every input.
        return measure(kafka, ScorerTopology.buildTopology(config), id, kafka.topic(QstreamTopic.SCORED), total,
                episodes, streamThreads, work.resolve(id), value -> ScoredRecords.steps(value).size());
    }

    private static Topology passThrough(String from, String to) {
        Topology t = new Topology();
        ByteArraySerde bytes = new ByteArraySerde();
        t.addSource("in", bytes.deserializer(), bytes.deserializer(), from);
        t.addSink("out", to, bytes.serializer(), bytes.serializer(), "in");
        return t;
    }

    /** Writes the prompts and every episode's transitions; returns the number of transitions. */
    private long fill(KafkaSettings kafka) throws Exception {
        Random rnd = new Random(11);
        String[][] sentences = RougeLBenchmark.pairs(200, 24, 5);
        long count = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("bench-fill"))) {
            for (int p = 0; p < 200; p++) {
                Prompt prompt = Prompt.newBuilder().setPromptId("bench-" + p).setText("describe item " + p)
                        .setReferences(List.of(sentences[0][p], sentences[1][p])).setTask("bench")
                        .setCreatedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(kafka.topic(QstreamTopic.PROMPTS), key(prompt.getPromptId()),
                        Serdes.PROMPT.encode(prompt)));
            }
            producer.flush();
            List<Integer> promptTokens = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                promptTokens.add(100 + i * 37);
            }
            List<Integer> valid = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                valid.add(2 + i * 7);
            }
            for (int e = 0; e < episodes; e++) {
                int p = rnd.nextInt(200);
                String[] refWords = sentences[0][p].replace(",", "").replace(".", "").split(" ");
                UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
                List<Integer> prefix = new ArrayList<>();
                for (int s = 0; s < steps; s++) {
                    boolean done = s == steps - 1;
                    // Half the words come from the reference, so ROUGE has matches to find.
                    String word = done ? "" : rnd.nextBoolean() ? refWords[rnd.nextInt(refWords.length)] : "w" + rnd.nextInt(500);
                    int action = valid.get(s % valid.size());
                    Transition t = Transition.newBuilder().setEpisodeId(id.toString()).setPromptId("bench-" + p)
                            .setActorId("bench").setStep(s).setPromptTokens(promptTokens)
                            .setPrefixTokens(new ArrayList<>(prefix)).setAction(action).setActionToken(word)
                            .setValidActions(valid).setDone(done).setEndReason(done ? EndReason.END_OF_SEQUENCE : null)
                            .setPolicyVersion(1).setBehaviourProbability(0.9).setExploration(ExplorationStrategy.GREEDY)
                            .setCreatedAt(System.currentTimeMillis()).build();
                    producer.send(new ProducerRecord<>(kafka.topic(QstreamTopic.TRANSITIONS), key(id.toString()),
                            Serdes.TRANSITION.encode(t)));
                    prefix.add(action);
                    count++;
                }
            }
            producer.flush();
        }
        return count;
    }

    /**
     * Starts the topology and times it through its {@code expected} input records (see below) and until
     * {@code expectedOutput} records came out in {@code output} (counted from its end before the start: earlier
     * rounds wrote there too). With {@code transitionsIn}, once the clocks have stopped, the output records'
     * transitions must add up to the input: the check decodes, so it stays off the clock.
     */
    private Result measure(KafkaSettings kafka, Topology topology, String applicationId, String output, long expected,
                           long expectedOutput, int streamThreads, Path stateDir, ToIntFunction<byte[]> transitionsIn)
            throws Exception {
        String input = kafka.topic(QstreamTopic.TRANSITIONS);
        List<byte[]> outputs = new ArrayList<>();
        Properties props = kafka.common(applicationId);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        // The scorer's own setting (see ScorerTopology), on both sides; a one-input pass-through never idles on it.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, ScorerTopology.MAX_TASK_IDLE_MS);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(streamThreads));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(kafka.consumer("bench-reader-" + applicationId, null));
             Admin admin = Admin.create(kafka.admin("bench-progress-" + applicationId));
             KafkaStreams streams = new KafkaStreams(topology, props)) {
            List<TopicPartition> partitions = reader.partitionsFor(output).stream()
                    .map(i -> new TopicPartition(output, i.partition())).toList();
            reader.assign(partitions);
            reader.seekToEnd(partitions);
            partitions.forEach(reader::position); // resolve the end now, before the topology writes
            long started = System.nanoTime();
            streams.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            // Two clocks on the same run. (1) As this bench always timed it: from the moment the instance reports
            // RUNNING until a reader has seen every output record; that includes the first fetch and the first
            // commit's latency, which weigh more on the short pass-through run. (2) Steady state: by the input offsets
            // the topology commits (with its output, in one transaction), over the middle of the input: from the
            // commit that takes it past a tenth to the one that takes it past nine tenths, counting the records in
            // between. (From the very first commit would count start-up for the scorer: it commits its first tasks
            // while it still opens and restores the state stores of the others.)
            long running = 0;
            long outputDone = 0;
            long seen = 0;
            long firstCommit = 0;
            long start = 0;
            long first = 0;
            long end = 0;
            long last = 0;
            long done = 0;
            while (done == 0 || outputDone == 0) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(20))) {
                    seen++;
                    if (transitionsIn != null) {
                        outputs.add(r.value());
                    }
                }
                long now = System.nanoTime();
                if (running == 0 && streams.state() == KafkaStreams.State.RUNNING) {
                    running = now;
                }
                if (outputDone == 0 && seen >= expectedOutput) {
                    outputDone = now;
                }
                if (done == 0) {
                    long committed = committedInput(admin, applicationId, input);
                    now = System.nanoTime();
                    if (firstCommit == 0 && committed > 0) {
                        firstCommit = now;
                    }
                    if (start == 0 && committed >= expected / 10) {
                        start = now;
                        first = committed;
                    }
                    if (end == 0 && committed >= expected - expected / 10) {
                        end = now;
                        last = committed;
                    }
                    if (committed >= expected) {
                        done = now;
                    }
                }
                if (now > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(applicationId + " produced " + seen + " of " + expectedOutput
                            + " records (" + streams.state() + ")");
                }
            }
            if (end == start) {
                throw new IllegalStateException(applicationId + " took in the middle of its input in one commit: too little input to time");
            }
            if (running == 0 || running > outputDone) {
                running = start; // it never reported RUNNING before finishing (possible with several threads)
            }
            if (threadMetrics) { // where each stream thread's time went: process, commit, poll, punctuate
                streams.metrics().forEach((name, metric) -> {
                    if (name.group().equals("stream-thread-metrics") && (name.name().endsWith("-ratio")
                            || name.name().endsWith("-latency-avg") || name.name().endsWith("-rate"))) {
                        System.out.printf("  %s %s = %s%n", applicationId, name.name(), metric.metricValue());
                    }
                });
            }
            streams.close(Duration.ofSeconds(30));
            if (transitionsIn != null) {
                long transitions = outputs.stream().mapToLong(transitionsIn::applyAsInt).sum();
                if (transitions != expected) {
                    throw new IllegalStateException(applicationId + " wrote " + transitions + " of " + expected + " transitions");
                }
            }
            return new Result(expected, (outputDone - running) / 1e9, last - first, (end - start) / 1e9,
                    (firstCommit - started) / 1e9);
        }
    }

    /** The input records the application has committed as processed (the input has no transaction markers). */
    private static long committedInput(Admin admin, String applicationId, String input) throws Exception {
        return admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .entrySet().stream().filter(e -> e.getKey().topic().equals(input) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
