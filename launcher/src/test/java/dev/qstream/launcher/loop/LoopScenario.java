package dev.qstream.launcher.loop;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.evaluator.EvaluatorService;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.actor.service.ActorService;
import dev.qstream.learner.deploy.GateConfig;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.service.LearnerConfig;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.service.LearnerService;
import dev.qstream.tasks.simulator.TrafficSimulator;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.stream.ScorerConfig;
import dev.qstream.scorer.stream.ScorerService;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The whole loop in one JVM against any bootstrap address: scorer, learner and an actor as the services run them,
 * fed by the traffic simulator. Shared by the embedded-broker test and its Testcontainers twin.
 */
final class LoopScenario implements AutoCloseable {

    static final ModelSigner KEY = new ModelSigner("loop-test-signing-key-0123456789".getBytes(StandardCharsets.UTF_8));

    final KafkaSettings settings;
    final List<TaskPrompt> task;
    final Vocabulary vocabulary;
    /** Common words the actor's masks add (the task's coverage-based count). */
    final int commonWords;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** The services and their contexts (what {@link #restartServices} closes), apart from the traffic. */
    private final List<AutoCloseable> services = new ArrayList<>();
    /** The running services' contexts by source ("actor", "scorer", ...): their meters. */
    private final Map<String, ServiceContext> contexts = new java.util.HashMap<>();
    ActorService actor;
    LearnerService learner;
    ScorerService scorer;
    TrafficSimulator simulator;
    /** Learner checkpoints; null = none. */
    Path checkpointDir;
    /** Longest episode. */
    int maxTokens = 24;
    /** The learner's promotion gate; empty = off. */
    Optional<GateConfig> gate = Optional.empty();
    /** Learner publishing cadence. */
    int publishEveryUpdates = 20;
    /** Whether an evaluator service (the held-out curve) runs too. */
    boolean withEvaluator;
    /** Share of referenced prompts the actor also demonstrates. */
    double demonstrationFraction = ActorConfig.DEFAULT_DEMONSTRATION_FRACTION;

    /** Client settings per role (e.g. SASL credentials); the shared settings use the "ops" role. */
    private final Function<String, Map<String, String>> credentials;

    LoopScenario(String bootstrap, String prefix) {
        this(bootstrap, prefix, role -> Map.of());
    }

    LoopScenario(String bootstrap, String prefix, Function<String, Map<String, String>> credentials) {
        this(bootstrap, prefix, credentials, DataToTextTask.generate(3, 300));
    }

    /** The loop on {@code task}: the vocabulary and mask size come from its train split, as in {@code up}. */
    LoopScenario(String bootstrap, String prefix, Function<String, Map<String, String>> credentials, List<TaskPrompt> task) {
        this(bootstrap, new TopicLayout(prefix, 2, (short) 1), credentials, task);
    }

    /** The loop on topics laid out as {@code layout} (e.g. replicated on a cluster). */
    LoopScenario(String bootstrap, TopicLayout layout, Function<String, Map<String, String>> credentials, List<TaskPrompt> task) {
        this.credentials = credentials;
        this.settings = new KafkaSettings(bootstrap, layout, credentials.apply("ops"));
        this.task = List.copyOf(task);
        this.vocabulary = TaskVocabulary.of(task);
        this.commonWords = TaskVocabulary.commonWordsFor(task, vocabulary, TaskVocabulary.DEFAULT_MASK_COVERAGE);
    }

    LoopScenario startServices() throws Exception {
        ServiceContext scorerContext = context("scorer", "scorer-it");
        Path state = Files.createTempDirectory("scorer-it-");
        scorer = ScorerService.start(ScorerConfig.defaults(settings.layout(), state)
                .withApplicationId(settings.layout().prefix() + "-scorer")
                .withEpisodeTimeout(Duration.ofSeconds(60)), scorerContext);
        services.add(scorer);

        ServiceContext learnerContext = context("learner", "learner-it");
        learner = LearnerService.start(LearnerConfig.builder("learner-it", vocabulary.size(), vocabulary.fingerprint())
                .hidden(64).dqn(DqnConfig.defaults().withBatchSize(32)).replay(ReplayConfig.prioritized(50_000))
                .minReplay(200).samplesPerInsert(8).publishEveryUpdates(publishEveryUpdates).publishEvery(Duration.ofSeconds(5))
                .checkpointDir(checkpointDir).signer(Optional.of(KEY)).groupId(settings.layout().prefix() + "-learner")
                .gate(gate).build(), learnerContext);
        services.add(learner);

        ServiceContext actorContext = context("actor", "actor-it");
        ActorConfig config = ActorConfig.builder("actor-it", vocabulary).hidden(64).maxTokens(maxTokens)
                .commonWords(commonWords).demonstrationFraction(demonstrationFraction).signer(Optional.of(KEY))
                .groupId(settings.layout().prefix() + "-actors").catchUpTimeout(Duration.ofSeconds(30)).httpPort(0).build();
        actor = ActorService.start(config, actorContext);
        services.add(actor);

        if (withEvaluator) {
            services.add(EvaluatorService.start(new EvaluatorService.Config(ModelIdentity.defaults().withHidden(64), vocabulary,
                    task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).limit(20).toList(), maxTokens,
                    ActionMasker.Mode.PROMPT_AND_COMMON, commonWords, 1, Duration.ofSeconds(1), Optional.of(KEY)),
                    context("evaluator", "evaluator-it")));
        }
        return this;
    }

    /** Stops every service (each as on SIGTERM), then starts them all again on the same topics and state. */
    LoopScenario restartServices() throws Exception {
        closeServices();
        return startServices();
    }

    private void closeServices() throws Exception {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        services.clear();
    }

    LoopScenario startTraffic(double rate) {
        simulator = new TrafficSimulator(settings, "it", task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList(), rate, 1);
        simulator.start();
        closeables.add(simulator);
        return this;
    }

    private ServiceContext context(String source, String instance) {
        ServiceContext context = ServiceContext.start(settings.withOverrides(credentials.apply(source)), source, instance,
                Duration.ofSeconds(30), Duration.ofSeconds(1));
        services.add(context);
        contexts.put(source, context);
        return context;
    }

    /** A counter of a running service's own meters (e.g. the actor's {@code actor.transitions}); 0 when it has none. */
    double counter(String source, String meter) {
        ServiceContext context = contexts.get(source);
        var counter = context == null ? null : context.registry().find(meter).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Produces raw bytes to a topic. */
    void produceRaw(QstreamTopic topic, byte[] key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("garbage-producer"))) {
            producer.send(new ProducerRecord<>(settings.topic(topic), key, value)).get();
        }
    }

    /** Every dead letter on the DLQ so far. */
    List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("dlq-reader", null))) {
            TopicPartition p = new TopicPartition(settings.topic(QstreamTopic.DLQ), 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long end = consumer.endOffsets(List.of(p)).get(p);
            long deadline = System.currentTimeMillis() + 10_000;
            while (consumer.position(p) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(Serdes.DEAD_LETTER.decode(r.value()));
                }
            }
        }
        return letters;
    }

    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close(); // the traffic first: nothing is sent to services that are gone
        }
        closeServices();
    }
}
