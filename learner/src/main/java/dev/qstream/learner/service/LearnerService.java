package dev.qstream.learner.service;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.dqn.UpdateStats;
import dev.qstream.learner.publish.ModelPublisher;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.PartitionOffset;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One learner instance (Acme's Learner role): a consumer thread moves scored transitions from Kafka into replay;
 * a training thread samples, updates, and publishes a new model version every N updates. A samples-per-insert rate
 * limiter keeps training from running far ahead of the data. A non-finite loss rolls the network back to the last
 * published weights instead of publishing garbage.
 */
public final class LearnerService implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(LearnerService.class);

    private final LearnerConfig config;
    private final ServiceContext context;
    private final QNetworkSpec spec;
    private final StateEncoder encoder;
    private final ReplayBuffer replay;
    private final DqnUpdate dqn;
    private final ModelPublisher publisher;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordIntake<ScoredTransition> intake;
    private final Map<Integer, Long> trainedThrough = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicReference<UpdateStats> lastStats = new AtomicReference<>();
    private final AtomicLong lastSamplesPerSecond = new AtomicLong();
    private final Counter updates;
    private final Counter rollbacks;
    private final Counter waits;
    private final Thread ingestThread;
    private final Thread trainThread;
    private volatile QNetworkWeights lastPublished;
    private volatile boolean running = true;
    private volatile String failure;

    private LearnerService(LearnerConfig config, ServiceContext context) {
        this.config = config;
        this.context = context;
        this.spec = new QNetworkSpec(config.encoder(), config.hidden(), config.vocabularySize());
        this.encoder = new StateEncoder(config.encoder());
        this.replay = new ReplayBuffer(config.replayCapacity());
        ModelSnapshot start = PublishedModels.newest(context.kafka(), context.clientId("resume"), config.modelName(),
                config.signer(), Duration.ofSeconds(60))
                .filter(m -> m.spec().equals(spec) && m.vocabularyFingerprint().equals(config.vocabularyFingerprint()))
                .orElseGet(() -> new ModelSnapshot(0, -1, config.vocabularyFingerprint(),
                        QNetworkFactory.initialWeights(spec, config.initSeed())));
        LOG.info("learner starts from model version {}", start.version());
        this.version.set(start.version());
        this.lastPublished = start.weights();
        this.dqn = new DqnUpdate(config.dqn(), start.weights());
        this.publisher = new ModelPublisher(context.kafka(), "qstream-learner-" + config.modelName(), config.modelName(), config.signer());
        this.consumer = new KafkaConsumer<>(context.kafka().consumer(context.clientId("scored"), config.groupId()));
        this.intake = new RecordIntake<>(Serdes.SCORED_TRANSITION,
                new RecordValidator(ValidationLimits.withVocabulary(config.vocabularySize())), context.deadLetters(),
                s -> s.getTransition().getEpisodeId());
        this.updates = Counter.builder("learner.updates").description("DQN updates done").register(context.registry());
        this.rollbacks = Counter.builder("learner.rollbacks").description("divergence rollbacks").register(context.registry());
        this.waits = Counter.builder("learner.ratelimiter.waits").description("times training waited for data").register(context.registry());
        Gauge.builder("learner.replay.size", replay, ReplayBuffer::size).register(context.registry());
        Gauge.builder("learner.replay.inserted", replay, ReplayBuffer::inserted).register(context.registry());
        Gauge.builder("learner.model.version", version, AtomicLong::get).register(context.registry());
        Gauge.builder("learner.loss", lastStats, s -> s.get() == null ? Double.NaN : s.get().loss()).register(context.registry());
        Gauge.builder("learner.q.mean", lastStats, s -> s.get() == null ? Double.NaN : s.get().meanQ()).register(context.registry());
        Gauge.builder("learner.td.abs", lastStats, s -> s.get() == null ? Double.NaN : s.get().meanAbsTd()).register(context.registry());
        Gauge.builder("learner.samples.per.second", lastSamplesPerSecond, AtomicLong::get).register(context.registry());
        this.ingestThread = new Thread(this::ingest, "learner-ingest");
        this.trainThread = new Thread(this::train, "learner-train");
    }

    public static LearnerService start(LearnerConfig config, ServiceContext context) {
        LearnerService service = new LearnerService(config, context);
        service.ingestThread.start();
        service.trainThread.start();
        return service;
    }

    public long publishedVersion() {
        return version.get();
    }

    public long updates() {
        return dqn.updates();
    }

    public int replaySize() {
        return replay.size();
    }

    private void ingest() {
        try {
            consumer.subscribe(List.of(context.kafka().topic(QstreamTopic.SCORED)));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    intake.accept(record).ifPresent(s -> replay.add(toStored(s)));
                    trainedThrough.merge(record.partition(), record.offset() + 1, Math::max);
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("learner ingest loop failed: {}", e.toString(), e);
            failure = "ingest loop failed: " + e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    static StoredTransition toStored(ScoredTransition s) {
        Transition t = s.getTransition();
        UUID episode = UUID.fromString(t.getEpisodeId());
        return new StoredTransition(episode.getMostSignificantBits(), episode.getLeastSignificantBits(), t.getStep(),
                StoredTransition.narrow(t.getPromptTokens()), StoredTransition.narrow(t.getPrefixTokens()), t.getAction(),
                (float) s.getReward(), t.getDone(),
                t.getDone() || s.getNextValidActions() == null ? null : StoredTransition.narrow(s.getNextValidActions()));
    }

    private void train() {
        SplittableRandom random = new SplittableRandom(config.seed());
        Batch batch = new Batch(config.dqn().batchSize(), spec.inputs());
        long lastPublish = System.nanoTime();
        long windowStart = System.nanoTime();
        long windowUpdates = 0;
        int sinceLastPublish = 0;
        try {
            while (running) {
                if (!mayUpdate()) {
                    waits.increment();
                    Thread.sleep(20);
                    continue;
                }
                replay.sample(batch, random, encoder, (float) config.dqn().gamma());
                UpdateStats stats = dqn.update(batch);
                updates.increment();
                sinceLastPublish++;
                windowUpdates++;
                if (!Double.isFinite(stats.loss())) {
                    rollbacks.increment();
                    LOG.warn("non-finite loss at update {}: rolling back to the weights of version {}", dqn.updates(), version.get());
                    dqn.load(lastPublished, lastPublished);
                    continue;
                }
                lastStats.set(stats);
                long now = System.nanoTime();
                if (now - windowStart > 2_000_000_000L) {
                    lastSamplesPerSecond.set((long) (windowUpdates * batch.size / ((now - windowStart) / 1e9)));
                    windowStart = now;
                    windowUpdates = 0;
                }
                if (sinceLastPublish >= config.publishEveryUpdates()
                        || (now - lastPublish) > config.publishEvery().toNanos()) {
                    publish(stats);
                    sinceLastPublish = 0;
                    lastPublish = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("learner training loop failed: {}", e.toString(), e);
            failure = "training loop failed: " + e;
        }
    }

    /** Reverb-style rate limiter: a minimum replay size, then at most samplesPerInsert samples per insert. */
    private boolean mayUpdate() {
        long inserted = replay.inserted();
        if (replay.size() < config.minReplay()) {
            return false;
        }
        double sampled = (double) (dqn.updates() + 1) * config.dqn().batchSize();
        return sampled <= inserted * config.samplesPerInsert() + config.samplesPerInsertTolerance();
    }

    private void publish(UpdateStats stats) {
        QNetworkWeights weights = dqn.onlineWeights();
        if (weights.firstNonFinite() >= 0) {
            rollbacks.increment();
            LOG.warn("weights became non-finite; rolling back to version {} instead of publishing", version.get());
            dqn.load(lastPublished, lastPublished);
            return;
        }
        long next = version.get() + 1;
        List<PartitionOffset> lineage = new ArrayList<>();
        String scored = context.kafka().topic(QstreamTopic.SCORED);
        trainedThrough.forEach((p, o) -> lineage.add(new PartitionOffset(scored, p, o)));
        Map<String, Double> metrics = Map.of("updates", (double) dqn.updates(), "loss", stats.loss(),
                "meanQ", stats.meanQ(), "meanAbsTd", stats.meanAbsTd(), "replaySize", (double) replay.size());
        try {
            int chunks = publisher.publish(new ModelSnapshot(next, version.get(), config.vocabularyFingerprint(), weights),
                    lineage, metrics);
            version.set(next);
            lastPublished = weights;
            LOG.info("published model version {} ({} chunks) after {} updates, loss {}", next, chunks, dqn.updates(),
                    String.format("%.4f", stats.loss()));
        } catch (RuntimeException e) {
            LOG.error("publishing model version {} failed (training goes on): {}", next, e.getMessage());
        }
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            trainThread.join(15_000);
            ingestThread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
    }
}
