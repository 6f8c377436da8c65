package dev.qstream.launcher.cli;

import dev.qstream.actor.experience.TrainingBacklog;
import dev.qstream.launcher.options.CompressionConverter;
import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.GateOptions;
import dev.qstream.launcher.options.ProducingKafkaOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.launcher.local.LocalBrokers;
import dev.qstream.launcher.local.LocalEndpoints;
import dev.qstream.launcher.local.LocalToken;
import dev.qstream.console.observe.LoopObserver;
import dev.qstream.console.observe.LoopSummary;
import dev.qstream.console.observe.LoopWarmUp;
import dev.qstream.tasks.simulator.SimulatedRater;
import dev.qstream.tasks.simulator.TrafficSimulator;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.Compression;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.topics.TopicLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code qstream up}: the whole loop on one machine. An embedded broker in its own JVM, then scorer, learner and
 * actors in theirs, and here the traffic simulator and the observer that reads the loop's state off the topics.
 * With {@code --duration} it stops by itself, shuts everything down in order and prints a JSON summary as its last
 * line; without, it runs until Ctrl-C.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run the whole learning loop locally: embedded Kafka broker, actor(s), scorer, learner, traffic simulator.")
public final class UpCommand implements Callable<Integer> {

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long and print a JSON summary (e.g. 3m). Default: run until Ctrl-C.")
    Duration duration;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where logs, the vocabulary and broker data go (default: .qstream/up-<time>).")
    Path dataDir;

    @Option(names = "--task", paramLabel = "FILE", description = "Task file (JSON Lines). Default: the built-in data-to-text task.")
    Path taskFile;

    @Option(names = "--actors", defaultValue = "1", description = "Actor JVMs to run (default: ${DEFAULT-VALUE}).")
    int actors;

    @Option(names = "--rate", defaultValue = "40", description = "Prompts per second sent by the traffic simulator; 0 = no simulated traffic (prompts come from elsewhere: "
                    + "the actors' HTTP API, your own producer, `bench loop`) (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--partitions", defaultValue = "" + TopicLayout.DEFAULT_PARTITIONS, description = "Partitions of the shared topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--broker-port", defaultValue = "0", description = "Port of the embedded broker (of the first one, the "
            + "others following it); 0 picks free ones (default: ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--brokers", defaultValue = "1",
            description = "Kafka brokers to run, each a KRaft broker and controller in its own JVM; from 3 on, every topic "
                    + "has three copies with min.insync.replicas=2, so one broker may die: up carries on and starts it again (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--progress-every", defaultValue = "15s", converter = DurationConverter.class,
            description = "How often to print a progress line (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the traffic order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--shuffle", defaultValue = "true", fallbackValue = "true", arity = "0..1", negatable = true,
            description = "Send each pass over the training prompts in a fresh seeded order; --no-shuffle keeps the file's order (default: ${DEFAULT-VALUE}).")
    boolean shuffle;

    @Option(names = "--repeat", defaultValue = "0",
            description = "Passes over the training prompts before traffic stops; 0 = no end (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--feedback-fraction", defaultValue = "0.3",
            description = "Share of generations the simulated rater rates; 0 = no simulated feedback (default: ${DEFAULT-VALUE}).")
    double feedbackFraction;

    @Option(names = "--feedback-delay", defaultValue = "3s", converter = DurationConverter.class,
            description = "Mean (exponential) delay of a simulated rating; some land after the scorer's window and become late corrections (default: ${DEFAULT-VALUE}).")
    Duration feedbackDelay;

    @Option(names = "--feedback-noise", defaultValue = "0.2",
            description = "Standard deviation of the simulated rater's noise on its [-1, 1] opinion (default: ${DEFAULT-VALUE}).")
    double feedbackNoise;

    @Option(names = "--human-weight", defaultValue = "0.2",
            description = "Weight of human feedback in the reward (the scorer's --human-weight) (default: ${DEFAULT-VALUE}).")
    double humanWeight;

    @Option(names = "--feedback-window", defaultValue = "4s", converter = DurationConverter.class,
            description = "The scorer's feedback window: how long an episode waits for its feedback before it is scored (default: ${DEFAULT-VALUE}).")
    Duration feedbackWindow;

    @Option(names = "--training-backlog", defaultValue = "" + TrainingBacklog.Policy.DEFAULT_BOUND, paramLabel = "RECORDS",
            description = "The scorer's lag on transitions (records) over which the actors emit only a share of episodes for training, "
                    + "serving every request still; 0 = no bound (default: ${DEFAULT-VALUE}).")
    long trainingBacklog;

    @Option(names = "--compression", paramLabel = ProducingKafkaOptions.CHOICES, defaultValue = "lz4",
            converter = CompressionConverter.class,
            description = "Compression of the records every service of the stack produces; clients reading the topics "
                    + "must be able to read it (docs/CLIENTS.md) (default: ${DEFAULT-VALUE}).")
    Compression compression;

    @Option(names = "--dashboard-port", defaultValue = "8080",
            description = "Port of the live dashboard; a free one when taken; -1 = no dashboard (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Mixin
    GateOptions gate;

    private static final Duration STOP_GRACE = Duration.ofSeconds(40);
    private static final String ND4J_CACHE = Path.of(System.getProperty("user.home"), ".cache", "qstream", "javacpp").toString();

    @Override
    public Integer call() throws Exception {
        SimulatedRater.Taste taste = checkOptions();
        Path dir = dataDir != null ? dataDir
                : Path.of(".qstream", "up-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        TaskSetup task = prepareTask(dir, logs);
        Stack stack = new Stack();
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                finished.await(3, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "up-shutdown"));
        int exit = 0;
        try {
            KafkaSettings settings = startBroker(stack, dir, logs);
            startServices(stack, settings, task, dir, logs);
            startTrafficAndDashboard(stack, settings, task, dir, taste);
            say("loop running: %d actor(s), scorer, learner; %.0f prompts/s%s; simulated feedback on %.0f%% of generations",
                    actors, rate, duration == null ? " (Ctrl-C to stop)" : " for " + duration.toSeconds() + " s",
                    100 * feedbackFraction);
            runUntilDone(stack, stopRequested);
        } catch (IllegalStateException | IOException e) {
            System.err.println("qstream up: " + e.getMessage());
            exit = 1;
        } finally {
            LoopSummary summary = stack.shutDown();
            reportRss(stack.children);
            if (summary != null) {
                System.out.println(summaryJson(summary, stack.rater == null ? 0 : stack.rater.given(), stack.warmUp));
                System.out.flush();
            }
            finished.countDown();
        }
        return exit;
    }

    /** The task, its vocabulary (written where the services read it) and the masks' common-word count. */
    private record TaskSetup(List<TaskPrompt> prompts, List<TaskPrompt> train, Path vocabFile, int commonWords) {
    }

    /** What {@code up} started, so that it can stop it in order. */
    /** How many times one broker of a cluster is started again after it died before up gives up. */
    static final int MAX_BROKER_RESTARTS = 3;

    private final class Stack {
        final List<ChildJvm> children = new ArrayList<>();
        List<LocalBrokers.Node> brokerNodes = List.of();
        LocalBrokers.Restarts brokerRestarts;
        /** Brokers started again whose ready line has not appeared yet. */
        final List<ChildJvm> brokersComingBack = new ArrayList<>();
        TrafficSimulator simulator;
        SimulatedRater rater;
        LoopObserver observer;
        LocalEndpoints endpoints;
        LocalToken token;
        final LoopWarmUp warmUp = new LoopWarmUp();

        /** Stops traffic, lets the pipeline drain, then stops services in dependency order and the broker last. */
        LoopSummary shutDown() throws InterruptedException {
            if (endpoints != null) {
                endpoints.close();
            }
            if (rater != null) {
                rater.close();
            }
            return UpCommand.this.shutDown(children, simulator, observer);
        }
    }

    /** Refuses bad options before anything starts; returns the simulated rater's taste (which checks its own). */
    private SimulatedRater.Taste checkOptions() {
        if (actors < 1) {
            throw new IllegalArgumentException("--actors must be >= 1");
        }
        if (!(rate >= 0)) {
            throw new IllegalArgumentException("--rate must be >= 0 (0 = no simulated traffic)");
        }
        if (brokers < 1) {
            throw new IllegalArgumentException("--brokers must be >= 1");
        }
        if (repeat < 0) {
            throw new IllegalArgumentException("--repeat must be >= 0 (0 = no end)");
        }
        return new SimulatedRater.Taste(feedbackFraction, feedbackDelay, feedbackNoise, seed);
    }

    private TaskSetup prepareTask(Path dir, Path logs) throws IOException {
        List<TaskPrompt> task = loadTask();
        List<TaskPrompt> train = task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
        Vocabulary vocabulary = TaskVocabulary.of(task);
        Path vocabFile = dir.resolve("vocab.txt");
        vocabulary.write(vocabFile);
        int commonWords = TaskVocabulary.commonWordsFor(task, vocabulary, TaskVocabulary.DEFAULT_MASK_COVERAGE);
        say("task: %d prompts (%d train), vocabulary %d words + %d copy actions (train split only), masks add %d common words; logs in %s",
                task.size(), train.size(), vocabulary.size() - vocabulary.copySlots(), vocabulary.copySlots(), commonWords, logs);
        return new TaskSetup(task, train, vocabFile, commonWords);
    }

    /** The embedded broker(s), each in its own JVM, and the loop's topics on them (replicated by the cluster size). */
    private KafkaSettings startBroker(Stack stack, Path dir, Path logs) throws IOException, InterruptedException {
        stack.brokerNodes = LocalBrokers.plan(brokers, brokerPort, dir.resolve("kafka"));
        stack.brokerRestarts = new LocalBrokers.Restarts(brokers, MAX_BROKER_RESTARTS);
        String bootstrap = LocalBrokers.start(stack.brokerNodes, logs, BrokerCommand.READY_PREFIX, stack.children);
        say("%s ready at %s", brokers == 1 ? "broker" : brokers + " brokers (one KRaft cluster)", bootstrap);
        KafkaSettings settings = new KafkaSettings(bootstrap, new TopicLayout(TopicLayout.DEFAULT_PREFIX, partitions,
                TopicLayout.AUTO_REPLICATION), Map.of(), compression);
        TopicBootstrap.ensureTopics(settings, Duration.ofSeconds(30));
        return settings;
    }

    /** Scorer, learner, actors and evaluator, each in its own JVM, sharing one fresh model-signing key. */
    private void startServices(Stack stack, KafkaSettings settings, TaskSetup task, Path dir, Path logs) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of(ModelSigner.ENV_KEY, HexFormat.of().formatHex(key), "OMP_NUM_THREADS", "1");
        // Every service also serves Prometheus metrics on a free port; LocalEndpoints reads them from the logs.
        List<String> kafkaArgs = childKafkaArgs(settings.bootstrapServers());
        stack.token = LocalToken.create(dir);
        String vocab = task.vocabFile().toString();
        String commonWords = String.valueOf(task.commonWords());
        stack.children.add(ChildJvm.launch("scorer", List.of("-Xmx768m"),
                concat(List.of("scorer"), kafkaArgs, List.of("--instance-id", "scorer-1",
                        "--state-dir", dir.resolve("scorer-state").toString(), "--episode-timeout", "60s",
                        "--human-weight", String.valueOf(humanWeight), "--feedback-window", feedbackWindow.toMillis() + "ms",
                        "--feedback-grace", "1s", "--feedback-retention", "30m")),
                env, logs.resolve("scorer.log")));
        stack.children.add(ChildJvm.launch("learner", nd4jOptions("2g", "4g"),
                concat(List.of("learner"), kafkaArgs, List.of("--instance-id", "learner-1", "--vocab", vocab,
                        "--checkpoint-dir", dir.resolve("learner-checkpoints").toString()), gate.args()),
                env, logs.resolve("learner.log")));
        for (int i = 1; i <= actors; i++) {
            int httpPort = freePort();
            stack.children.add(ChildJvm.launch("actor-" + i, nd4jOptions("1g", "2g"),
                    concat(List.of("actor"), kafkaArgs, List.of("--instance-id", "actor-" + i, "--vocab", vocab,
                            "--common-words", commonWords, "--http-port", String.valueOf(httpPort),
                            "--http-token-file", stack.token.file().toString(),
                            "--training-backlog", String.valueOf(trainingBacklog))),
                    env, logs.resolve("actor-" + i + ".log")));
            say("actor-%d HTTP API: http://127.0.0.1:%d/v1/generate (header: Authorization: Bearer $(cat %s))",
                    i, httpPort, stack.token.file());
        }
        String taskArg = taskFile == null ? TaskVocabulary.BUILTIN : taskFile.toAbsolutePath().toString();
        stack.children.add(ChildJvm.launch("evaluator", nd4jOptions("768m", "1g"),
                concat(List.of("evaluator"), kafkaArgs, List.of("--instance-id", "evaluator-1", "--task", taskArg,
                        "--common-words", commonWords, "--every-versions", "5", "--min-interval", "15s")),
                env, logs.resolve("evaluator.log")));
    }

    /** The Kafka options every service JVM of the stack gets: this stack's broker, layout and compression. */
    List<String> childKafkaArgs(String bootstrapServers) {
        return List.of("--bootstrap-servers", bootstrapServers, "--partitions", String.valueOf(partitions),
                "--metrics-port", "0", "--compression", compression.configValue());
    }

    /** The observer, the traffic simulator, the simulated rater and the dashboard, in this process. */
    private void startTrafficAndDashboard(Stack stack, KafkaSettings settings, TaskSetup task, Path dir, SimulatedRater.Taste taste)
            throws IOException, InterruptedException {
        stack.observer = new LoopObserver(settings).start();
        if (rate > 0) {
            stack.simulator = new TrafficSimulator(settings, taskName(), task.train(), rate, seed, shuffle, repeat).start();
        }
        if (feedbackFraction > 0) {
            stack.rater = new SimulatedRater(settings, task.prompts(), taste).start();
        }
        stack.endpoints = LocalEndpoints.start(settings, dashboardPort, stack.token, stack.children, dir);
        stack.endpoints.print(dir);
    }

    /** Until the duration is up or Ctrl-C: watches the children, says when traffic ends, prints progress. */
    private void runUntilDone(Stack stack, CountDownLatch stopRequested) throws InterruptedException {
        long start = System.nanoTime();
        long nextProgress = start + progressEvery.toNanos();
        boolean trafficDoneSaid = false;
        while (true) {
            if (stopRequested.await(500, TimeUnit.MILLISECONDS)) {
                say("stopping (interrupted)");
                return;
            }
            long now = System.nanoTime();
            if (duration != null && now - start >= duration.toNanos()) {
                return;
            }
            for (int i = 0; i < stack.children.size(); i++) {
                ChildJvm c = stack.children.get(i);
                c.samplePeakRssKb();
                if (!c.isAlive()) {
                    stack.children.set(i, restartOrFail(stack, c));
                }
            }
            sayBrokersBack(stack);
            if (stack.simulator != null && stack.simulator.finished() && !trafficDoneSaid) {
                say("traffic finished after %d pass(es): %d prompts sent; the loop keeps running", repeat, stack.simulator.sent());
                trafficDoneSaid = true;
            }
            long seconds = (now - start) / 1_000_000_000L;
            boolean progressDue = now >= nextProgress;
            // A summary sorts every episode's reward: read it twice a second only while milestones are still ahead.
            if (!stack.warmUp.allReached() || progressDue) {
                LoopSummary summary = stack.observer.summary();
                for (LoopWarmUp.Milestone m : stack.warmUp.observe(summary, seconds)) {
                    say("t=%ds %s", seconds, m.text());
                }
                if (progressDue) {
                    progress(summary, stack.simulator == null ? 0 : stack.simulator.sent(), stack.rater == null ? 0 : stack.rater.given(), seconds);
                    nextProgress += progressEvery.toNanos();
                }
            }
        }
    }

    /**
     * A child that died: a broker of a cluster of three or more is started again on its data directory while the
     * others carry on (every topic has three copies); anything else stops the stack.
     */
    private ChildJvm restartOrFail(Stack stack, ChildJvm dead) {
        int code = dead.exitCode();
        if (!LocalBrokers.isBroker(dead)) {
            throw new IllegalStateException(dead.name() + " exited unexpectedly (exit code " + code + "); see " + dead.log());
        }
        int restart;
        try {
            restart = stack.brokerRestarts.next(dead.name());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (exit code " + code + "); see " + dead.log(), e);
        }
        LocalBrokers.Node node = stack.brokerNodes.stream().filter(n -> n.name().equals(dead.name())).findFirst()
                .orElseThrow();
        say("%s exited unexpectedly (exit code %d); the other %d brokers carry on (every topic has three copies);"
                + " starting it again (restart %d of at most %d)", dead.name(), code, brokers - 1, restart, MAX_BROKER_RESTARTS);
        try {
            ChildJvm fresh = node.launch(dead.log());
            stack.brokersComingBack.add(fresh);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + dead.name() + " again", e);
        }
    }

    /** Says so when a broker started again is ready (it catches up on its partitions from the others by itself). */
    private void sayBrokersBack(Stack stack) {
        for (var it = stack.brokersComingBack.iterator(); it.hasNext(); ) {
            ChildJvm b = it.next();
            try {
                var address = b.lineSoFar(BrokerCommand.READY_PREFIX);
                if (address.isPresent()) {
                    say("%s is back at %s", b.name(), address.get());
                    it.remove();
                }
            } catch (IOException e) {
                it.remove(); // its log is gone: nothing to say, the watch above still sees whether it runs
            }
        }
    }

    /** Stops traffic, lets the pipeline drain, then stops services in dependency order and the broker last. */
    private LoopSummary shutDown(List<ChildJvm> children, TrafficSimulator simulator, LoopObserver observer) throws InterruptedException {
        if (simulator != null) {
            simulator.close();
        }
        LoopSummary summary = null;
        if (observer != null) {
            drain(observer);
        }
        for (String prefix : List.of("evaluator", "actor", "scorer", "learner")) {
            for (ChildJvm c : children) {
                if (c.name().startsWith(prefix)) {
                    c.stop(STOP_GRACE);
                }
            }
        }
        if (observer != null) {
            Thread.sleep(1_500); // the final metric samples the services published while closing
            summary = observer.summary();
            observer.close();
        }
        LocalBrokers.stopAll(children, STOP_GRACE);
        return summary;
    }

    /** Waits (up to 20 s) until scored transitions stop growing, so the summary reflects a settled loop. */
    private static void drain(LoopObserver observer) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long previous = -1;
        int stable = 0;
        while (System.nanoTime() < deadline && stable < 3) {
            Thread.sleep(1_000);
            long scored = observer.summary().scoredTransitions();
            stable = scored == previous ? stable + 1 : 0;
            previous = scored;
        }
    }

    private List<TaskPrompt> loadTask() throws IOException {
        List<TaskPrompt> task = TaskVocabulary.load(taskFile == null ? TaskVocabulary.BUILTIN : taskFile.toString());
        if (task.stream().noneMatch(p -> p.split() == TaskPrompt.Split.TRAIN)) {
            throw new IllegalArgumentException("task file " + taskFile + " has no valid training prompts");
        }
        return task;
    }

    private String taskName() {
        return taskFile == null ? DataToTextTask.NAME : taskFile.getFileName().toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<String> nd4jOptions(String heap, String offHeap) {
        return List.of("-Xmx" + heap, "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + offHeap,
                "-Dorg.bytedeco.javacpp.cachedir=" + ND4J_CACHE);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    private static void progress(LoopSummary s, long prompts, long feedback, long seconds) {
        String waiting = LoopWarmUp.waitingFor(s);
        say("t=%ds prompts=%d feedback=%d episodes=%d transitions=%d scored=%d updates=%d published=v%d served=%s deadLetters=%d heldOutRougeL=%.3f heldOutBleu=%.1f%s",
                seconds, prompts, feedback, s.episodes(), s.transitions(), s.scoredTransitions(), s.learnerUpdates(),
                s.modelVersionPublished(), s.modelVersionsServed(), s.deadLetters(), s.heldOutRougeLLast(), s.heldOutBleuLast(),
                gateProgress(s.deployment()) + (waiting.isEmpty() ? "" : " (" + waiting + ")"));
    }

    /** The gate's part of a progress line; empty without a gate. */
    private static String gateProgress(LoopSummary.Deployment d) {
        if (!d.gated()) {
            return "";
        }
        return String.format(Locale.ROOT, " champion=v%d challenger=%s trials=%d promoted=%d rolledBack=%d championHeldOutRougeL=%.3f",
                d.champion(), d.challenger() < 0 ? "-" : "v" + d.challenger(), d.trials(), d.promotions(), d.rollbacks(),
                d.championHeldOutRougeL());
    }

    private static void reportRss(List<ChildJvm> children) {
        StringBuilder sb = new StringBuilder("peak RSS:");
        for (ChildJvm c : children) {
            sb.append(' ').append(c.name()).append('=').append(c.peakRssKb() < 0 ? "?" : (c.peakRssKb() / 1024) + "MB");
        }
        say("%s", sb);
    }

    static String summaryJson(LoopSummary s, long feedbackGiven, LoopWarmUp warmUp) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("episodes", s.episodes());
        o.put("transitions", s.transitions());
        o.put("scoredTransitions", s.scoredTransitions());
        o.put("learnerUpdates", s.learnerUpdates());
        o.put("modelVersionPublished", s.modelVersionPublished());
        o.put("feedbackGiven", feedbackGiven);
        ObjectNode served = o.putObject("modelVersionsServed");
        s.modelVersionsServed().forEach(served::put);
        putNumber(o, "meanRewardFirst10pct", s.meanRewardFirst10pct());
        putNumber(o, "meanRewardLast10pct", s.meanRewardLast10pct());
        putNumber(o, "heldOutRougeLFirst", s.heldOutRougeLFirst());
        putNumber(o, "heldOutRougeLLast", s.heldOutRougeLLast());
        putNumber(o, "heldOutBleuFirst", s.heldOutBleuFirst());
        putNumber(o, "heldOutBleuLast", s.heldOutBleuLast());
        // Seconds after "loop running" when the loop first scored and when every actor first served a learned version.
        if (s.deployment().gated()) {
            ObjectNode d = o.putObject("deployment");
            d.put("champion", s.deployment().champion());
            d.put("trials", s.deployment().trials());
            d.put("promotions", s.deployment().promotions());
            d.put("rollbacks", s.deployment().rollbacks());
            putNumber(d, "championHeldOutRougeL", s.deployment().championHeldOutRougeL());
        }
        warmUp.reachedAt(LoopWarmUp.Milestone.SCORED).ifPresent(t -> o.put("firstScoredAfterSeconds", t));
        warmUp.reachedAt(LoopWarmUp.Milestone.SERVED).ifPresent(t -> o.put("firstServedAfterSeconds", t));
        try {
            return json.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putNumber(ObjectNode o, String field, double value) {
        if (Double.isFinite(value)) {
            o.put(field, Math.round(value * 1e6) / 1e6);
        } else {
            o.putNull(field);
        }
    }

    private static void say(String format, Object... args) {
        System.err.println("[qstream up] " + String.format(format, args));
    }
}
