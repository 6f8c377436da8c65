package dev.qstream.learner.service;

import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.checkpoint.CheckpointStore;
import dev.qstream.learner.deploy.DeploymentGate;
import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.dqn.UpdateStats;
import dev.qstream.learner.publish.ModelPublisher;
import dev.qstream.learner.ratelimit.RateLimiter;
import dev.qstream.learner.replay.PolicyLag;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.schemas.avro.PartitionOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The training thread: asks the rate limiter, samples a batch, runs the DQN update, feeds TD errors back as
 * priorities, guards against divergence, and publishes and checkpoints on schedule. The only thread that touches
 * the {@link DqnUpdate}.
 */
final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final LearnerConfig config;
    private final DqnUpdate dqn;
    private final ReplayBuffer replay;
    private final RateLimiter limiter;
    private final StateEncoder encoder;
    private final ModelPublisher publisher;
    private final DeploymentGate gate; // null: every version serves at once
    private final DeploymentGate.Trainee trainee = new GatedTraining();
    private final CheckpointStore checkpoints;
    private final Ingestor ingestor;
    private final LearnerMetrics metrics;
    private final String scoredTopic;
    final AtomicLong version;
    final AtomicLong sampled;
    final AtomicReference<UpdateStats> lastStats = new AtomicReference<>();
    private final Worker worker;
    private final SplittableRandom random; // the worker thread's, like the fields below
    private final Batch batch;
    private long lastPublish;
    private long windowStart;
    private long windowUpdates;
    private int sinceLastPublish;
    private PolicyLag lagSincePublish = PolicyLag.NONE; // what the next published version reports
    private DqnUpdate.State lastGood;
    private double lossMean = Double.NaN;
    private long lastCheckpointNanos = System.nanoTime();
    private long lastCheckpointUpdates;

    Trainer(LearnerConfig config, DqnUpdate dqn, ReplayBuffer replay, RateLimiter limiter, StateEncoder encoder,
            ModelPublisher publisher, CheckpointStore checkpoints, Ingestor ingestor, LearnerMetrics metrics,
            String scoredTopic, long startVersion, long startSampled, DeploymentGate gate) {
        this.gate = gate;
        this.config = config;
        this.dqn = dqn;
        this.replay = replay;
        this.limiter = limiter;
        this.encoder = encoder;
        this.publisher = publisher;
        this.checkpoints = checkpoints;
        this.ingestor = ingestor;
        this.metrics = metrics;
        this.scoredTopic = scoredTopic;
        this.version = new AtomicLong(startVersion);
        this.sampled = new AtomicLong(startSampled);
        this.lastGood = dqn.state(); // what a rollback returns to: the last checkpoint (or the start)
        this.lastCheckpointUpdates = dqn.updates();
        this.random = new SplittableRandom(config.seed());
        this.batch = new Batch(config.dqn().batchSize(), encoder.inputSize());
        this.worker = Worker.named("learner-train").joinTimeout(Duration.ofSeconds(30)).setUp(() -> {
            lastPublish = System.nanoTime();
            windowStart = lastPublish;
        }).build(this::trainOnce);
    }

    void start() {
        worker.start();
    }

    /** Why training stopped, or null while it runs (or after it was closed). */
    String failure() {
        Throwable f = worker.failure();
        return f == null ? null : "training loop failed: " + f;
    }

    long updates() {
        return dqn.updates();
    }

    /** One turn: a batch sampled and learned from (then publish and checkpoint when due), or a short wait. */
    private void trainOnce() throws InterruptedException {
        RateLimiter.Decision decision = limiter.decide(replay.size(), replay.inserted(), sampled.get(), batch.size);
        if (decision != RateLimiter.Decision.SAMPLE) {
            metrics.waited();
            if (gate != null) {
                gate.tick(trainee, false); // trials are judged while training waits for data too
            }
            // Idle is a good moment to checkpoint what arrived since the last one.
            if (checkpoints != null && dqn.updates() > 0 && System.nanoTime() - lastCheckpointNanos > config.checkpointEvery().toNanos()) {
                checkpoint();
            }
            Thread.sleep(20);
            return;
        }
        replay.sample(batch, random, encoder, dqn.updates());
        PolicyLag lag = PolicyLag.of(batch);
        metrics.policyLag(lag);
        lagSincePublish = lagSincePublish.plus(lag);
        UpdateStats stats = dqn.update(batch);
        sampled.addAndGet(batch.size);
        replay.updatePriorities(batch, stats.tdErrors());
        metrics.updated();
        sinceLastPublish++;
        windowUpdates++;
        if (diverged(stats)) {
            rollback("loss " + stats.loss() + (Double.isFinite(stats.loss()) ? " exploded (running mean " + lossMean + ")" : " is not finite"));
            return;
        }
        lastStats.set(stats);
        long now = System.nanoTime();
        if (now - windowStart > 2_000_000_000L) {
            metrics.samplesPerSecond(windowUpdates * batch.size / ((now - windowStart) / 1e9));
            windowStart = now;
            windowUpdates = 0;
        }
        boolean publishDue = sinceLastPublish >= config.publishEveryUpdates() || now - lastPublish > config.publishEvery().toNanos();
        if (gate != null) {
            gate.tick(trainee, publishDue); // the gate decides what goes out, and when
        } else if (publishDue) {
            publish(dqn.onlineWeights(), stats);
        }
        if (publishDue) {
            sinceLastPublish = 0;
            lastPublish = now;
        }
        if (checkpoints != null && (dqn.updates() - lastCheckpointUpdates >= config.checkpointEveryUpdates()
                || now - lastCheckpointNanos > config.checkpointEvery().toNanos())) {
            checkpoint();
        }
    }

    /** Non-finite loss, or a loss far above its running mean. */
    private boolean diverged(UpdateStats stats) {
        double loss = stats.loss();
        if (!Double.isFinite(loss)) {
            return true;
        }
        if (Double.isNaN(lossMean)) {
            lossMean = loss;
            return false;
        }
        boolean exploded = dqn.updates() > 100 && loss > config.divergenceLossFactor() * Math.max(lossMean, 1e-6);
        if (!exploded) {
            lossMean += 0.01 * (loss - lossMean);
        }
        return exploded;
    }

    private void rollback(String why) {
        metrics.rolledBack();
        LOG.warn("divergence: {}; rolling back to the state of update {} (last checkpoint)", why, lastGood.updates());
        dqn.restore(lastGood);
        lossMean = Double.NaN;
    }

    /** Publishes weights as the next version; returns it, or null when it did not go out. */
    private DeploymentGate.Published publish(QNetworkWeights weights, UpdateStats stats) {
        if (weights.firstNonFinite() >= 0) {
            rollback("weights became non-finite");
            return null;
        }
        long next = version.get() + 1;
        List<PartitionOffset> lineage = new ArrayList<>();
        Ingestor.CheckpointView view = ingestor.checkpointView();
        view.positions().forEach((key, offset) -> {
            int slash = key.lastIndexOf('/');
            if (key.substring(0, slash).equals(scoredTopic)) {
                lineage.add(new PartitionOffset(scoredTopic, Integer.parseInt(key.substring(slash + 1)), offset));
            }
        });
        Map<String, Double> trainingMetrics = trainingMetrics(dqn.updates(), stats, replay.size(), lagSincePublish);
        try {
            ModelSnapshot model = new ModelSnapshot(next, version.get(), config.vocabularyFingerprint(), weights);
            int chunks = publisher.publish(model, lineage, trainingMetrics);
            version.set(next);
            lagSincePublish = PolicyLag.NONE;
            int dropped = replay.advanceVersion(next);
            if (dropped > 0) {
                LOG.debug("version {} left {} transitions past the policy-lag bound: dropped", next, dropped);
            }
            LOG.info("published model version {} ({} chunks) after {} updates, loss {}", next, chunks, dqn.updates(),
                    stats == null ? "n/a" : String.format("%.4f", stats.loss()));
            return new DeploymentGate.Published(model, List.copyOf(lineage), trainingMetrics);
        } catch (RuntimeException e) {
            LOG.error("publishing model version {} failed (training goes on): {}", next, e.getMessage());
            return null;
        }
    }

    /** What the gate may do to training: read and publish weights, and resume from a champion's. */
    private final class GatedTraining implements DeploymentGate.Trainee {
        @Override
        public QNetworkWeights currentWeights() {
            return dqn.onlineWeights();
        }

        @Override
        public DeploymentGate.Published publish(QNetworkWeights weights) {
            return Trainer.this.publish(weights, lastStats.get());
        }

        @Override
        public void publishChampionCopy(DeploymentGate.Published v) {
            try {
                publisher.publishChampionCopy(v.model(), v.lineage(), v.metrics());
            } catch (RuntimeException e) {
                LOG.error("publishing the champion's copy of version {} failed: {}", v.version(), e.getMessage());
            }
        }

        @Override
        public void resumeFrom(QNetworkWeights weights) {
            dqn.resetTo(weights);
            lossMean = Double.NaN;
            lastGood = dqn.state(); // a divergence rollback must not return to the abandoned line either
        }
    }

    /**
     * The training metrics that travel with a published version (readers take them from the model topic): the last
     * update's loss, Q and |TD|, and the policy lag over every batch since the previous version (the last batch
     * alone is a few dozen rows of noise).
     */
    static Map<String, Double> trainingMetrics(long updates, UpdateStats stats, int replaySize, PolicyLag lag) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("updates", (double) updates);
        m.put("loss", stats == null ? Double.NaN : stats.loss());
        m.put("meanQ", stats == null ? Double.NaN : stats.meanQ());
        m.put("meanAbsTd", stats == null ? Double.NaN : stats.meanAbsTd());
        m.put("replaySize", (double) replaySize);
        m.put("policyLagMean", lag.mean());
        m.put("policyLagMax", (double) lag.max());
        return m;
    }

    /**
     * Writes a checkpoint; on success commits the offsets it covers and makes it the rollback target. A failed write
     * (unwritable or full directory) is reported and retried at the next interval; training goes on, offsets are
     * not committed past the last good checkpoint, and the previous checkpoint file is untouched.
     */
    boolean checkpoint() {
        lastCheckpointNanos = System.nanoTime();
        lastCheckpointUpdates = dqn.updates();
        DqnUpdate.State state = dqn.state();
        Ingestor.CheckpointView view = ingestor.checkpointView();
        Checkpoint c = new Checkpoint(version.get(), sampled.get(), config.vocabularyFingerprint(), state, view.replay(),
                view.positions(), System.currentTimeMillis(), view.trial());
        try {
            long start = System.nanoTime();
            checkpoints.write(c);
            metrics.checkpointed((System.nanoTime() - start) / 1e6);
            lastGood = state;
            ingestor.requestCommit(view.positions());
            LOG.info("checkpoint at update {} ({} transitions, model version {})", c.updates(),
                    c.replay().transitions().length, c.modelVersion());
            return true;
        } catch (IOException | RuntimeException e) {
            metrics.checkpointFailed();
            LOG.error("checkpoint to {} failed (training goes on, will retry): {}", checkpoints.dir(), e.toString());
            return false;
        }
    }

    /** Stops training after the current update and waits for it (up to 30 s). */
    @Override
    public void close() {
        worker.close();
    }
}
