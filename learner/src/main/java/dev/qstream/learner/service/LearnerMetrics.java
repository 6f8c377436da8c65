package dev.qstream.learner.service;

import dev.qstream.learner.replay.PolicyLag;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.StaleTransitions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The learner's meters (published to qstream.metrics and Prometheus by the service context). */
final class LearnerMetrics {

    private final Counter updates;
    private final Counter rollbacks;
    private final Counter waits;
    private final Counter checkpoints;
    private final Counter checkpointFailures;
    private final Timer checkpointTime;
    private final AtomicLong samplesPerSecond = new AtomicLong();
    private final AtomicLong lastCheckpointMillis = new AtomicLong(System.currentTimeMillis());
    private final AtomicReference<PolicyLag> lastBatchLag = new AtomicReference<>(PolicyLag.NONE);

    LearnerMetrics(MeterRegistry registry, ReplayBuffer replay) {
        updates = Counter.builder("learner.updates").description("DQN updates done").register(registry);
        rollbacks = Counter.builder("learner.rollbacks").description("divergence rollbacks").register(registry);
        waits = Counter.builder("learner.ratelimiter.waits").description("times training waited for data").register(registry);
        checkpoints = Counter.builder("learner.checkpoints").description("checkpoints written").register(registry);
        checkpointFailures = Counter.builder("learner.checkpoint.failures").description("checkpoint writes that failed").register(registry);
        checkpointTime = Timer.builder("learner.checkpoint.write").description("time to write a checkpoint").register(registry);
        registry.gauge("learner.samples.per.second", samplesPerSecond);
        registry.gauge("learner.checkpoint.age.seconds", lastCheckpointMillis, a -> (System.currentTimeMillis() - a.get()) / 1000.0);
        Gauge.builder("learner.policy.lag.mean", lastBatchLag, l -> l.get().mean())
                .description("mean policy lag (model versions) of the last batch's non-demonstration rows").register(registry);
        Gauge.builder("learner.policy.lag.max", lastBatchLag, l -> l.get().max())
                .description("largest policy lag (model versions) in the last batch").register(registry);
        FunctionCounter.builder("learner.stale.transitions", replay, ReplayBuffer::staleDropped)
                .tag("action", tag(StaleTransitions.DROP))
                .description("transitions dropped as older than --max-policy-lag (each once)").register(registry);
        FunctionCounter.builder("learner.stale.transitions", replay, ReplayBuffer::staleDownweighted)
                .tag("action", tag(StaleTransitions.DOWNWEIGHT))
                .description("sampled rows down-weighted as older than --max-policy-lag (each time sampled)").register(registry);
    }

    private static String tag(StaleTransitions action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    void updated() {
        updates.increment();
    }

    void policyLag(PolicyLag lastBatch) {
        lastBatchLag.set(lastBatch);
    }

    void rolledBack() {
        rollbacks.increment();
    }

    void waited() {
        waits.increment();
    }

    void samplesPerSecond(double value) {
        samplesPerSecond.set(Math.round(value));
    }

    void checkpointed(double millis) {
        checkpoints.increment();
        checkpointTime.record((long) (millis * 1000), TimeUnit.MICROSECONDS);
        lastCheckpointMillis.set(System.currentTimeMillis());
    }

    void checkpointFailed() {
        checkpointFailures.increment();
    }
}
