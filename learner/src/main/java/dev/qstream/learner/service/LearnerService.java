package dev.qstream.learner.service;

import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.deploy.DeploymentGate;
import dev.qstream.learner.deploy.TrialTally;
import dev.qstream.runtime.deployment.DeploymentFollower;
import dev.qstream.runtime.deployment.DeploymentLog;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.dqn.UpdateStats;
import dev.qstream.learner.publish.ModelPublisher;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.learner.ratelimit.RateLimiter;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.topics.QstreamTopic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * One learner instance (Acme's Learner role), wired from two threads: the {@link Ingestor} moves scored transitions
 * into replay, the {@link Trainer} samples, updates, publishes and checkpoints. On start it resumes from the newest
 * valid checkpoint (weights, optimizer, replay, Kafka positions), else from the newest published model; model
 * versions always continue above the newest one published.
 */
public final class LearnerService implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(LearnerService.class);

    private final CheckpointStore checkpoints;
    private final ReplayBuffer replay;
    private final Ingestor ingestor;
    private final Trainer trainer;
    private final ModelPublisher publisher;
    private final DeploymentFollower deployments; // null without a gate
    private final DeploymentGate gate;            // null without a gate

    private LearnerService(LearnerConfig config, ServiceContext context, long epoch) throws InterruptedException {
        QNetworkSpec spec = new QNetworkSpec(config.encoder(), config.hidden(), config.vocabularySize());
        this.checkpoints = config.checkpointDir() == null ? null : new CheckpointStore(config.checkpointDir(), config.checkpointsKept(), epoch);
        this.replay = new ReplayBuffer(config.replay(), config.staleness());

        Optional<ModelSnapshot> published = PublishedModels.newest(context.kafka(), context.clientId("resume"),
                config.modelName(), config.signer(), Duration.ofSeconds(60));
        long publishedVersion = published.map(ModelSnapshot::version).orElse(0L);
        Optional<Checkpoint> checkpoint = checkpoints == null ? Optional.empty() : checkpoints.loadNewest()
                .filter(c -> c.learner().online().spec().equals(spec) && c.vocabularyFingerprint().equals(config.vocabularyFingerprint()));

        DqnUpdate dqn;
        Map<String, Long> startPositions;
        long startSampled;
        long startVersion;
        if (checkpoint.isPresent()) {
            Checkpoint c = checkpoint.get();
            dqn = new DqnUpdate(config.dqn(), c.learner().online());
            dqn.restore(c.learner());
            replay.restore(c.replay());
            startPositions = c.positions();
            startSampled = c.sampled();
            startVersion = Math.max(c.modelVersion(), publishedVersion);
            LOG.info("learner resumes from its checkpoint at update {}: {} transitions in replay, model version {}",
                    c.updates(), c.replay().transitions().length, startVersion);
        } else {
            ModelSnapshot start = published
                    .filter(m -> m.spec().equals(spec) && m.vocabularyFingerprint().equals(config.vocabularyFingerprint()))
                    .orElseGet(() -> new ModelSnapshot(0, -1, config.vocabularyFingerprint(),
                            QNetworkFactory.initialWeights(spec, config.initSeed())));
            dqn = new DqnUpdate(config.dqn(), start.weights());
            startPositions = Map.of();
            startSampled = 0;
            startVersion = publishedVersion;
            LOG.info("learner starts from model version {} (no checkpoint)", start.version());
        }

        // Lag is measured against the version the learner continues from (under DROP, what is already past the
        // bound leaves the restored replay here).
        replay.advanceVersion(startVersion);
        RateLimiter limiter = new RateLimiter(config.minReplay(), config.samplesPerInsert(),
                config.samplesPerInsertTolerance(), config.pauseIngestBehind());
        AtomicReference<Trainer> trainerRef = new AtomicReference<>();
        TrialTally trial = config.gate().isPresent() ? new TrialTally() : null;
        if (trial != null && checkpoint.isPresent() && checkpoint.get().trial() != null) {
            // The evidence counted up to the checkpoint; what came after it is read again and counted once by id.
            trial.restore(checkpoint.get().trial());
        }
        this.ingestor = new Ingestor(context, config, replay, startPositions,
                () -> trainerRef.get() != null && limiter.shouldPause(replay.inserted(), trainerRef.get().sampled.get(), ingestor().paused()),
                trial);
        this.publisher = new ModelPublisher(context.kafka(), "qstream-learner-" + config.modelName(), config.modelName(), config.signer());
        if (config.gate().isPresent()) {
            this.deployments = new DeploymentFollower(context.kafka(), context.clientId("deployments"), config.modelName(), s -> { })
                    .start(Duration.ofSeconds(60));
            // Decisions go out through the publisher's transactional producer: a learner that lost its lease is
            // fenced on them as on its versions.
            this.gate = new DeploymentGate(config.gate().get(), config.modelName(), publisher::recordDecision,
                    deployments, trial, namedVersions(config, context, deployments.state()), context.registry());
        } else {
            this.deployments = null;
            this.gate = null;
            gateOff(config, context, publisher);
        }
        LearnerMetrics metrics = new LearnerMetrics(context.registry(), replay);
        this.trainer = new Trainer(config, dqn, replay, limiter, new StateEncoder(config.encoder()), publisher, checkpoints,
                ingestor, metrics, context.kafka().topic(QstreamTopic.SCORED), startVersion, startSampled, gate);
        trainerRef.set(trainer);
        registerGauges(context.registry(), limiter);
    }

    /** The champion's and challenger's weights, as the deployment log names them, read from the model topic. */
    private static Map<Long, DeploymentGate.Published> namedVersions(LearnerConfig config, ServiceContext context,
                                                                     DeploymentState state) {
        Set<Long> named = new HashSet<>();
        state.champion().ifPresent(named::add);
        state.challenger().ifPresent(named::add);
        Map<Long, DeploymentGate.Published> out = new HashMap<>();
        PublishedModels.versions(context.kafka(), context.clientId("gate-resume"), config.modelName(), config.signer(),
                Duration.ofSeconds(60), named).forEach((version, c) -> {
            Map<String, Double> metrics = new HashMap<>();
            c.lastChunk().getMetrics().forEach((k, v) -> metrics.put(k.toString(), v));
            out.put(version, new DeploymentGate.Published(c.model(), List.copyOf(c.lastChunk().getLineage()), metrics));
        });
        LOG.info("gate on; deployment state: {} (weights found for versions {})", state, out.keySet());
        return out;
    }

    /**
     * Without a gate every version serves at once; if the log still holds a gate's champion (an earlier run had one),
     * say so on the log, or the actors would keep serving that champion.
     */
    private static void gateOff(LearnerConfig config, ServiceContext context, ModelPublisher publisher) {
        DeploymentState state = DeploymentLog.current(context.kafka(), context.clientId("deployments"), config.modelName(),
                Duration.ofSeconds(60));
        if (state.followsLatest()) {
            return;
        }
        publisher.recordDecision(DeploymentDecision.newBuilder()
                .setModel(config.modelName()).setAction(DeploymentAction.FOLLOW_LATEST)
                .setSubjectVersion(state.champion().getAsLong()).setChampionVersion(state.champion().getAsLong())
                .setChallengerVersion(null).setCanaryFraction(0).setDecidedBy(DeploymentGate.DECIDED_BY)
                .setReason("learner started without a gate: every new version serves all traffic")
                .setEvidence(null).setDecidedAt(Instant.now()).build());
        LOG.info("gate off: the deployment log held '{}'; recorded FOLLOW_LATEST", state);
    }

    private Ingestor ingestor() {
        return ingestor;
    }

    private void registerGauges(MeterRegistry registry, RateLimiter limiter) {
        Gauge.builder("learner.replay.size", replay, ReplayBuffer::size).register(registry);
        Gauge.builder("learner.replay.inserted", replay, ReplayBuffer::inserted).register(registry);
        Gauge.builder("learner.replay.capacity", replay, ReplayBuffer::capacity).register(registry);
        Gauge.builder("learner.model.version", trainer.version, v -> v.get()).register(registry);
        Gauge.builder("learner.ratelimiter.behind", this, s -> limiter.behind(replay.inserted(), trainer.sampled.get()))
                .description("samples owed to the samples-per-insert ratio (negative = ahead)").register(registry);
        Gauge.builder("learner.ingest.paused", ingestor, i -> i.paused() ? 1 : 0).register(registry);
        Gauge.builder("learner.nstep.dropped.episodes", ingestor, Ingestor::droppedEpisodes).register(registry);
        Gauge.builder("learner.loss", trainer.lastStats, s -> stat(s.get(), UpdateStats::loss)).register(registry);
        Gauge.builder("learner.q.mean", trainer.lastStats, s -> stat(s.get(), UpdateStats::meanQ)).register(registry);
        Gauge.builder("learner.td.abs", trainer.lastStats, s -> stat(s.get(), UpdateStats::meanAbsTd)).register(registry);
    }

    private static double stat(UpdateStats s, ToDoubleFunction<UpdateStats> f) {
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    public static LearnerService start(LearnerConfig config, ServiceContext context) throws InterruptedException {
        return start(config, context, 0);
    }

    /**
     * @param epoch the lease epoch this learner became active in ({@link ActiveStandbyLearner}); its checkpoints
     *              outrank those of any earlier active learner
     */
    static LearnerService start(LearnerConfig config, ServiceContext context, long epoch) throws InterruptedException {
        LearnerService service = new LearnerService(config, context, epoch);
        service.ingestor.start();
        service.trainer.start();
        return service;
    }

    public long publishedVersion() {
        return trainer.version.get();
    }

    public long updates() {
        return trainer.updates();
    }

    public int replaySize() {
        return replay.size();
    }

    @Override
    public String failure() {
        String f = trainer.failure();
        if (f == null && deployments != null) {
            f = deployments.failure();
        }
        return f != null ? f : ingestor.failure();
    }

    /** The deployment state the gate acts on; empty without a gate. */
    public Optional<DeploymentState> deployment() {
        return gate == null ? Optional.empty() : Optional.of(gate.applied());
    }

    /** Stops training, writes a final checkpoint (committing its offsets), then stops consuming. */
    @Override
    public void close() {
        trainer.close();
        if (checkpoints != null && trainer.failure() == null) {
            trainer.checkpoint();
        }
        ingestor.close();
        publisher.close();
        if (deployments != null) {
            deployments.close();
        }
    }
}
