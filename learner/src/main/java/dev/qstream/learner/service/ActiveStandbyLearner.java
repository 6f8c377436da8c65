package dev.qstream.learner.service;

import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.service.ServiceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A learner process that may be the active learner of its model or its hot standby: it joins the lease
 * ({@link LearnerLease}) at once and starts the {@link LearnerService} (from the newest checkpoint and the
 * committed offsets, as any restart does) only when it holds it. Run two with the same options and checkpoint
 * directory, and the second takes over when the first dies.
 */
public final class ActiveStandbyLearner implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveStandbyLearner.class);

    private final LearnerLease lease;
    private final AtomicReference<LearnerService> learner = new AtomicReference<>();
    private final Worker starter;

    private ActiveStandbyLearner(LearnerConfig config, ServiceContext context) {
        this.lease = new LearnerLease(context, config.groupId(), config.instanceId(), config.leaseTimeout());
        this.starter = Worker.named("learner-standby").daemon(true).interruptOnStop().build(() -> {
            if (learner.get() == null && lease.awaitAcquired(Duration.ofSeconds(1))) {
                learner.set(LearnerService.start(config, context, lease.epoch()));
            } else if (learner.get() != null) {
                Thread.sleep(1_000);
            }
        });
    }

    /** Joins the lease and returns; training starts when the lease is held (at once, when no other learner runs). */
    public static ActiveStandbyLearner start(LearnerConfig config, ServiceContext context) {
        ActiveStandbyLearner s = new ActiveStandbyLearner(config, context);
        s.lease.start();
        s.starter.start();
        LOG.info("learner {} joined the lease of model '{}'; it trains while it holds it, else waits as a standby",
                config.instanceId(), config.modelName());
        return s;
    }

    /** The running learner, or null while this one is a standby. */
    public LearnerService active() {
        return learner.get();
    }

    @Override
    public String failure() {
        String f = lease.failure();
        if (f == null) {
            Throwable t = starter.failure();
            f = t == null ? null : "learner failed to start: " + t;
        }
        LearnerService l = learner.get();
        return f != null ? f : l == null ? null : l.failure();
    }

    /** Stops training (final checkpoint), then leaves the lease so that a standby takes over at once. */
    @Override
    public void close() {
        starter.close();
        LearnerService l = learner.get();
        if (l != null) {
            l.close();
        }
        lease.close();
    }
}
