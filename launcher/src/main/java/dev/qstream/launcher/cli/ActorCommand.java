package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.ServiceOptions;
import dev.qstream.launcher.options.DecodingOptions;
import dev.qstream.launcher.options.ModelOptions;
import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.SigningOptions;
import dev.qstream.launcher.options.VocabularyOptions;
import dev.qstream.launcher.options.HttpExposureOptions;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.actor.generation.ReferenceChoice;
import dev.qstream.actor.experience.TrainingBacklog;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.actor.service.ActorService;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qstream actor}: one actor instance against a Kafka cluster. */
@Command(name = "actor", mixinStandardHelpOptions = true,
        description = "Serve prompts from the prompts topic with the newest model and emit transitions.")
public final class ActorCommand implements Callable<Integer> {

    /** Every default below is {@link ActorConfig.Builder}'s: the one place they are written. */
    private static final ActorConfig D = ActorConfig.builder("defaults", Vocabulary.synthetic(1)).build();


    @Mixin
    ServiceOptions service;

    @Mixin
    SigningOptions signing;

    @Mixin
    VocabularyOptions vocabulary;

    @Mixin
    ModelOptions model;

    @Mixin
    DecodingOptions decoding;

    @Option(names = "--strategy", description = "Exploration: GREEDY, EPSILON_GREEDY, BOLTZMANN (default: ${DEFAULT-VALUE}).")
    ExplorationStrategy strategy = D.strategy();

    @Option(names = "--epsilon-start", description = "ε at the first episode (default: ${DEFAULT-VALUE}).")
    double epsilonStart = D.epsilon().start();

    @Option(names = "--epsilon-end", description = "ε after the decay (default: ${DEFAULT-VALUE}).")
    double epsilonEnd = D.epsilon().end();

    @Option(names = "--epsilon-decay-episodes", description = "Episodes over which ε decays (default: ${DEFAULT-VALUE}).")
    long epsilonDecay = D.epsilon().decayEpisodes();

    @Option(names = "--temperature", description = "Boltzmann temperature (default: ${DEFAULT-VALUE}).")
    double temperature = D.temperature();

    @Option(names = "--top-k", description = "Mask size in TOP_K mode (default: ${DEFAULT-VALUE}).")
    int topK = D.topK();

    @Option(names = "--max-batch", description = "Most states decided together (default: ${DEFAULT-VALUE}).")
    int maxBatch = D.maxBatch();

    @Option(names = "--max-batch-wait", converter = DurationConverter.class,
            description = "Longest a step waits for others to batch with (default: ${DEFAULT-VALUE}).")
    Duration maxBatchWait = D.maxBatchWait();

    @Option(names = "--topic-concurrency", description = "Topic prompts generated at once (default: ${DEFAULT-VALUE}).")
    int topicConcurrency = D.topicConcurrency();

    @Option(names = "--http-port", description = "HTTP API port; -1 = no HTTP API, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int httpPort = D.httpPort();

    @Mixin
    HttpExposureOptions http;

    @Option(names = "--max-request-bytes", description = "Largest HTTP request body (default: ${DEFAULT-VALUE}).")
    int maxRequestBytes = D.maxRequestBytes();

    @Option(names = "--reject-unknown-feedback", description = "Refuse feedback for episode ids this actor did not produce.")
    boolean rejectUnknownFeedback;

    @Option(names = "--producer-queue-records",
            description = "Records held for Kafka while it is away; beyond that, back-pressure (default: ${DEFAULT-VALUE}).")
    int producerQueueRecords = D.producerQueueRecords();

    @Option(names = "--require-kafka", description = "Answer generate with 503 while Kafka is not acknowledging (default: keep serving, buffer).")
    boolean requireKafka;

    @Option(names = "--demonstration-fraction", description = "Share of topic prompts with references that also yield a "
            + "demonstration (an episode teacher-forced from one reference, training data only); 0 = none (default: ${DEFAULT-VALUE}).")
    double demonstrationFraction = D.demonstrationFraction();

    @Option(names = "--reference-choice", description = "Which reference a demonstration says: RANDOM, or CENTRAL (the one "
            + "closest to the others, so a prompt is always demonstrated the same way) (default: ${DEFAULT-VALUE}).")
    ReferenceChoice referenceChoice = D.referenceChoice();

    @Option(names = "--training-backlog", paramLabel = "RECORDS",
            description = "Unconsumed training data (the scorer's lag on transitions) up to which every "
                    + "episode is emitted for training; over it, only a share bound/backlog is (every request is still "
                    + "served); 0 = no bound (default: ${DEFAULT-VALUE}).")
    long trainingBacklog = TrainingBacklog.Policy.DEFAULT_BOUND;

    @Option(names = "--training-min-keep", paramLabel = "SHARE",
            description = "Smallest share of episodes emitted for training however long the backlog (default: ${DEFAULT-VALUE}).")
    double trainingMinKeep = TrainingBacklog.Policy.DEFAULT_MIN_KEEP;

    /**
     * The backlog is the scorer's lag on transitions (its default group). Not the learner's: it commits only with
     * checkpoints, so its committed lag is a sawtooth of the checkpoint cadence, not a sign of falling behind.
     */
    private TrainingBacklog.Policy trainingBacklogPolicy() {
        String prefix = service.kafka.topicPrefix;
        TopicLayout layout = new TopicLayout(prefix, 1, (short) 1);
        return new TrainingBacklog.Policy(trainingBacklog, trainingMinKeep, Duration.ofSeconds(2),
                Map.of(prefix + "-scorer", layout.name(QstreamTopic.TRANSITIONS)));
    }

    @Override
    public Integer call() throws Exception {
        Vocabulary vocabulary = this.vocabulary.load();
        String id = ServiceRunner.instanceId(service, "actor");
        ActorConfig config = ActorConfig.builder(id, vocabulary).model(model.identity())
                .maxTokens(decoding.maxTokens).strategy(strategy)
                .epsilon(new EpsilonSchedule(epsilonStart, epsilonEnd, epsilonDecay)).temperature(temperature)
                .demonstrationFraction(demonstrationFraction).referenceChoice(referenceChoice).maskMode(decoding.mask).commonWords(decoding.commonWords(this.vocabulary.task(), vocabulary)).topK(topK).maxBatch(maxBatch).maxBatchWait(maxBatchWait)
                .topicConcurrency(topicConcurrency).httpPort(httpPort).httpExposure(http.exposure())
                .maxRequestBytes(maxRequestBytes).rejectUnknownFeedbackEpisodes(rejectUnknownFeedback).requireKafka(requireKafka)
                .producerQueueRecords(producerQueueRecords).trainingBacklog(trainingBacklogPolicy())
                .signer(signing.signer()).groupId(service.kafka.topicPrefix + "-actors").build();
        return ServiceRunner.run(service, "actor", id, context -> ActorService.start(config, context));
    }
}
