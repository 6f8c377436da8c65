package dev.qstream.actor.service;

import dev.qstream.actor.experience.KafkaAdder;
import dev.qstream.actor.generation.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.Exploration;
import dev.qstream.actor.model.KafkaVariableClient;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One actor instance: loads the newest model, then serves prompts from {@code qstream.prompts} (a consumer group,
 * so N actors share its partitions), emitting every step as a transition. Offsets are committed only after the
 * episode's transitions are acknowledged, so a crash regenerates a prompt rather than losing it.
 */
public final class ActorService implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(ActorService.class);

    private final ActorConfig config;
    private final ServiceContext context;
    private final KafkaVariableClient variables;
    private final KafkaAdder adder;
    private final EpisodeGenerator generator;
    private final KafkaConsumer<byte[], byte[]> prompts;
    private final RecordIntake<Prompt> intake;
    private final Counter expired;
    private final AtomicLong episodes = new AtomicLong();
    private final SplittableRandom random = new SplittableRandom();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile String failure;

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
                        + config.vocabulary().size() + " tokens")
                .start(config.catchUpTimeout());
        this.adder = new KafkaAdder(context.kafka(), context.clientId("experience"), context.registry());
        this.generator = new EpisodeGenerator(config.instanceId(), config.vocabulary(), new Tokenizer(),
                new ActionMasker(config.maskMode(), config.vocabulary(), config.commonWords()), variables,
                config.maxPromptTokens(), Clock.systemUTC());
        this.intake = new RecordIntake<>(Serdes.PROMPT,
                new RecordValidator(ValidationLimits.withVocabulary(config.vocabulary().size())),
                context.deadLetters(), Prompt::getPromptId);
        java.util.Properties promptProps = context.kafka().consumer(context.clientId("prompts"), config.groupId());
        // Static membership: a restarted actor gets its partitions back at once (no 45 s session timeout wait).
        promptProps.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
        this.prompts = new KafkaConsumer<>(promptProps);
        this.expired = Counter.builder("actor.prompts.expired").description("prompts whose deadline passed before generation")
                .register(context.registry());
        this.loop = new Thread(this::servePrompts, "actor-prompts");
    }

    public static ActorService start(ActorConfig config, ServiceContext context) throws InterruptedException {
        ActorService service = new ActorService(config, context);
        service.loop.start();
        return service;
    }

    public long servedVersion() {
        return variables.current().version();
    }

    public EpisodeGenerator generator() {
        return generator;
    }

    private Exploration liveExploration() {
        ExplorationStrategy s = config.strategy();
        return switch (s) {
            case GREEDY -> Exploration.greedy();
            case BOLTZMANN -> Exploration.boltzmann(config.temperature());
            default -> Exploration.epsilonGreedy(config.epsilon().at(episodes.get()));
        };
    }

    private void servePrompts() {
        try {
            prompts.subscribe(List.of(context.kafka().topic(QstreamTopic.PROMPTS)));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = prompts.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    intake.accept(record).ifPresent(prompt -> serve(prompt, record));
                }
                adder.flush();
                prompts.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("actor prompt loop failed: {}", e.toString(), e);
            failure = "prompt loop failed: " + e;
        } finally {
            prompts.close(Duration.ofSeconds(5));
        }
    }

    private void serve(Prompt prompt, ConsumerRecord<byte[], byte[]> record) {
        Instant deadline = prompt.getDeadline();
        if (deadline != null && Instant.now().isAfter(deadline)) {
            expired.increment();
            context.deadLetters().publish(record, DeadLetterReason.PROCESSING,
                    "prompt " + prompt.getPromptId() + " expired at " + deadline + " before generation started", null);
            return;
        }
        int maxTokens = prompt.getMaxTokens() == null ? config.maxTokens() : Math.min(config.maxTokens(), prompt.getMaxTokens());
        generator.generate(prompt.getPromptId(), prompt.getText(), deadline, liveExploration(), maxTokens, random, adder);
        episodes.incrementAndGet();
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        prompts.wakeup();
        try {
            loop.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        adder.close();
        variables.close();
    }
}
