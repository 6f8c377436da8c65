package dev.qstream.actor.service;

import dev.qstream.actor.decode.BatchingDecoder;
import dev.qstream.actor.experience.ApiRecordsProducer;
import dev.qstream.actor.experience.KafkaAdder;
import dev.qstream.actor.experience.SamplingAdder;
import dev.qstream.actor.experience.TrainingBacklog;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.generation.GenerationResult;
import dev.qstream.actor.http.ActorHttpApi;
import dev.qstream.actor.model.KafkaVariableClient;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.http.RecentEpisodes;
import dev.qstream.runtime.kafka.BufferedProducer;
import dev.qstream.runtime.kafka.ConsumerLagReader;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One actor instance: loads the newest model, then serves prompts from {@code qstream.prompts} (a consumer group,
 * so N actors share its partitions) and, when enabled, the HTTP API, emitting every step as a transition. Up to
 * {@code topicConcurrency} topic prompts are generated at once so their steps batch in the decoder. Offsets are
 * committed only after the episodes' transitions are acknowledged, so a crash regenerates a prompt rather than
 * losing it.
 */
public final class ActorService implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(ActorService.class);

    private final ActorConfig config;
    private final ServiceContext context;
    private final KafkaVariableClient variables;
    private final BatchingDecoder decoder;
    private final BufferedProducer producer;
    private final SamplingAdder adder;
    private final TrainingBacklog backlog;
    private final ConsumerLagReader lagReader;
    private final ApiRecordsProducer apiRecords;
    private final EpisodeGenerator generator;
    private final RecentEpisodes recent = new RecentEpisodes(100_000);
    private final KafkaConsumer<byte[], byte[]> prompts;
    private final RecordIntake<Prompt> intake;
    private final ExecutorService workers;
    private final Counter expired;
    private final Counter topicRequests;
    private final Tokenizer tokenizer = new Tokenizer();
    private final Counter demonstrations;
    private final AtomicLong episodes = new AtomicLong();
    private final ActorHttpApi http;
    private final Worker loop;

    private ActorService(ActorConfig config, ServiceContext context) throws InterruptedException {
        this.config = config;
        this.context = context;
        QNetworkSpec spec = new QNetworkSpec(config.encoder(), config.hidden(), config.vocabulary().size());
        ModelSnapshot initial = new ModelSnapshot(0, -1, config.vocabulary().fingerprint(),
                QNetworkFactory.initialWeights(spec, config.initSeed()));
        this.variables = new KafkaVariableClient(context, config.modelName(), config.signer(), initial,
                m -> m.vocabularyFingerprint().equals(config.vocabulary().fingerprint())
                        && m.spec().actions() == config.vocabulary().size(),
                "vocabulary " + config.vocabulary().fingerprint().substring(0, 12) + "… of "
                        + config.vocabulary().size() + " tokens",
                config.maskMode() != ActionMasker.Mode.PROMPT_AND_COMMON)
                .start(config.catchUpTimeout());
        this.decoder = new BatchingDecoder(variables, config.maxBatch(), config.maxBatchWait(), 4_096, context.registry());
        // One producer for all the actor writes, behind a bounded queue: Kafka being away never blocks a request.
        this.producer = new BufferedProducer(new KafkaProducer<>(context.kafka().producer(context.clientId("experience"))),
                config.producerQueueRecords(), "actor-" + config.instanceId());
        String transitions = context.kafka().topic(QstreamTopic.TRANSITIONS);
        String generations = context.kafka().topic(QstreamTopic.GENERATIONS);
        // When the scorer or learner falls behind, emit only a share of episodes for training (serve them all).
        this.lagReader = config.trainingBacklog().bounded() ? new ConsumerLagReader(context.kafka(), context.clientId("backlog")) : null;
        this.backlog = new TrainingBacklog(config.trainingBacklog(), () -> new TrainingBacklog.Reading(
                lagReader.read(Duration.ofSeconds(10)), lagReader.endOffsets(config.trainingBacklog().topics(), Duration.ofSeconds(10))),
                context.registry()).start();
        this.adder = new SamplingAdder(new KafkaAdder(producer, true, transitions, generations, context.registry()),
                backlog, context.registry());
        SamplingAdder httpAdder = new SamplingAdder(new KafkaAdder(producer, false, transitions, generations, context.registry()),
                backlog, context.registry());
        this.apiRecords = new ApiRecordsProducer(producer, context.kafka().topic(QstreamTopic.PROMPTS), context.kafka().topic(QstreamTopic.FEEDBACK));
        this.generator = new EpisodeGenerator(config.instanceId(), config.vocabulary(), tokenizer,
                new ActionMasker(config.maskMode(), config.vocabulary(), config.commonWords(), config.topK()), decoder,
                config.maxPromptTokens(), Clock.systemUTC(), new GenerationMetrics(context.registry()));
        ValidationLimits limits = ValidationLimits.withVocabulary(config.vocabulary().size());
        this.intake = new RecordIntake<>(Serdes.PROMPT, new RecordValidator(limits), context.deadLetters(), Prompt::getPromptId);
        Properties props = context.kafka().consumer(context.clientId("prompts"), config.groupId());
        // Static membership: a restarted actor gets its partitions back at once (no 45 s session timeout wait).
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(16, config.topicConcurrency() * 4)));
        this.prompts = new KafkaConsumer<>(props);
        this.workers = Executors.newFixedThreadPool(config.topicConcurrency(), r -> {
            Thread t = new Thread(r, "actor-episode");
            t.setDaemon(true);
            return t;
        });
        this.expired = Counter.builder("actor.prompts.expired").description("prompts whose deadline passed before generation")
                .register(context.registry());
        this.topicRequests = Counter.builder("actor.requests").tag("source", "topic").description("generation requests")
                .register(context.registry());
        this.demonstrations = Counter.builder("actor.demonstrations")
                .description("teacher-forced episodes emitted from prompts' references").register(context.registry());
        this.http = config.httpPort() < 0 ? null : new ActorHttpApi(new ActorHttpApi.Backend(generator, httpAdder, apiRecords,
                recent, variables::caughtUp, this::servedModelVersion, limits, config.maxTokens(), config.temperature(),
                config.epsilon().end(), config.strategy(), config.rejectUnknownFeedbackEpisodes(), httpAdder::heldBack,
                () -> config.requireKafka() && !producer.acknowledging(5_000)), config.httpPort(),
                config.httpExposure(), config.maxRequestBytes(), context.registry());
        if (http != null) {
            LOG.info("actor {} HTTP API on port {}", config.instanceId(), http.port());
        }
        this.loop = Worker.named("actor-prompts").joinTimeout(Duration.ofSeconds(15)).onStop(prompts::wakeup)
                .setUp(() -> prompts.subscribe(List.of(context.kafka().topic(QstreamTopic.PROMPTS))))
                .tearDown(() -> prompts.close(Duration.ofSeconds(5)))
                .build(this::serveNext);
    }

    public static ActorService start(ActorConfig config, ServiceContext context) throws InterruptedException {
        ActorService service = new ActorService(config, context);
        service.loop.start();
        return service;
    }

    public long servedModelVersion() {
        return variables.current().version();
    }

    /** The version serving the canary share, or -1 when no trial is on. */
    public long challengerVersion() {
        return variables.challengerVersion();
    }

    /** The deployment state routing follows. */
    public DeploymentState deployment() {
        return variables.deployment();
    }

    /** The HTTP API's port, or -1 without one. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    private Exploration liveExploration() {
        return switch (config.strategy()) {
            case GREEDY -> Exploration.greedy();
            case BOLTZMANN -> Exploration.boltzmann(config.temperature());
            default -> Exploration.epsilonGreedy(config.epsilon().at(episodes.get()));
        };
    }

    /**
     * Serves one poll's prompts, up to {@code topicConcurrency} at once, then commits them once their transitions
     * are acknowledged.
     */
    private void serveNext() throws InterruptedException, ExecutionException {
        ConsumerRecords<byte[], byte[]> records = prompts.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
            return;
        }
        List<Future<?>> inFlight = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (fromHttp(record)) {
                continue; // generated when the HTTP request came in; here only for the scorer
            }
            intake.accept(record).ifPresent(prompt -> inFlight.add(workers.submit(() -> serve(prompt, record))));
        }
        for (Future<?> f : inFlight) {
            f.get();
        }
        adder.flush();
        prompts.commitSync();
    }

    private static boolean fromHttp(ConsumerRecord<byte[], byte[]> record) {
        Header origin = record.headers().lastHeader(ApiRecordsProducer.ORIGIN_HEADER);
        return origin != null && ApiRecordsProducer.ORIGIN_HTTP.equals(new String(origin.value(), StandardCharsets.UTF_8));
    }

    private Void serve(Prompt prompt, ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        Instant deadline = prompt.getDeadline();
        if (deadline != null && Instant.now().isAfter(deadline)) {
            expired.increment();
            context.deadLetters().publish(record, DeadLetterReason.PROCESSING,
                    "prompt " + prompt.getPromptId() + " expired at " + deadline + " before generation started", null);
            return null;
        }
        topicRequests.increment();
        int maxTokens = prompt.getMaxTokens() == null ? config.maxTokens() : Math.min(config.maxTokens(), prompt.getMaxTokens());
        SplittableRandom random = new SplittableRandom();
        GenerationResult result = generator.generate(prompt.getPromptId(), prompt.getText(), deadline, liveExploration(),
                maxTokens, random, adder);
        recent.remember(result.episodeId(), result.text());
        episodes.incrementAndGet();
        // Learning from demonstrations: a share of the prompts that come with references also yield an episode that
        // says one of them, teacher-forced (the answer above is unaffected; this one is training data only).
        List<String> references = prompt.getReferences();
        if (config.demonstrationFraction() > 0 && references != null && !references.isEmpty()
                && random.nextDouble() < config.demonstrationFraction()) {
            generator.demonstrate(prompt.getPromptId(), prompt.getText(),
                    config.referenceChoice().pick(references, tokenizer, random), config.maxTokens(), adder);
            demonstrations.increment();
        }
        return null;
    }

    @Override
    public String failure() {
        Throwable f = loop.failure();
        if (f == null) {
            return null;
        }
        return "prompt loop failed: " + (f instanceof ExecutionException && f.getCause() != null ? f.getCause() : f);
    }

    @Override
    public void close() {
        loop.close();
        if (http != null) {
            http.close();
        }
        workers.shutdownNow();
        backlog.close();
        if (lagReader != null) {
            lagReader.close();
        }
        decoder.close();
        producer.close(Duration.ofSeconds(10));
        variables.close();
    }
}
