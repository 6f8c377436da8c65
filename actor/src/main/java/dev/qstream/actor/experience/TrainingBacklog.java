package dev.qstream.actor.experience;

import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.kafka.GroupLag;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How much of the actor's experience the training side can take now. The training backlog is what the listed
 * consumer groups have not consumed yet on their topics, read from Kafka's committed offsets (for a group that has
 * never committed on its topic, the whole topic: it will read from the earliest offset). The actor lists the
 * scorer's group on the transitions topic; not the learner's, whose offsets are committed only with its checkpoints,
 * so their lag measures the checkpoint cadence, not falling behind (its ingest into replay keeps up by design). While it is under {@code bound} every episode is kept; over it,
 * a share {@code (bound / backlog)²} (never under {@code minKeep}) of new episodes is kept, so the backlog stops
 * growing and settles near the bound instead of running away when actors outpace the scorer. (With the plain ratio
 * the backlog settled at 2.5× the bound in a measured overload; squared, the share falls fast enough that it settles
 * much closer.) Serving is never affected: a request is answered
 * whatever happens to its training data.
 *
 * <p>Which episode is kept is decided once, at its first step, from its id (a fixed hash against the share), so an
 * episode is always emitted whole or not at all: the scorer can only score whole episodes.
 */
public final class TrainingBacklog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingBacklog.class);

    /** One reading of the consumption: every group's lag, and the total end offset of each counted topic. */
    public record Reading(List<GroupLag> lags, Map<String, Long> topicEnds) {
        public Reading {
            lags = List.copyOf(lags);
            topicEnds = Map.copyOf(topicEnds);
        }
    }

    /**
     * @param bound   backlog (records) up to which every episode is kept; 0 = no bound (keep everything)
     * @param minKeep the smallest share kept however long the backlog, so training never starves entirely
     * @param every   how often the backlog is read
     * @param lagOf   the consumer groups that make up the backlog, each with the topic whose lag counts
     */
    public record Policy(long bound, double minKeep, Duration every, Map<String, String> lagOf) {

        /** Records of backlog up to which every episode is kept, unless configured otherwise. */
        public static final long DEFAULT_BOUND = 20_000;
        /** The smallest share kept, unless configured otherwise. */
        public static final double DEFAULT_MIN_KEEP = 0.05;

        public Policy {
            if (bound < 0) {
                throw new IllegalArgumentException("training backlog bound must be >= 0 (0 = no bound), got " + bound);
            }
            if (!(minKeep > 0 && minKeep <= 1)) {
                throw new IllegalArgumentException("minimum kept share must be in (0, 1], got " + minKeep);
            }
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("backlog read interval must be positive");
            }
            lagOf = Map.copyOf(lagOf);
        }

        public static Policy unbounded() {
            return new Policy(0, 1, Duration.ofSeconds(5), Map.of());
        }

        public boolean bounded() {
            return bound > 0 && !lagOf.isEmpty();
        }

        /** The share of new episodes to keep with this backlog. */
        public double keepShare(long backlog) {
            if (!bounded() || backlog <= bound) {
                return 1.0;
            }
            double ratio = (double) bound / backlog;
            return Math.max(minKeep, ratio * ratio);
        }

        /** The topics whose lag counts. */
        public Set<String> topics() {
            return Set.copyOf(lagOf.values());
        }

        /**
         * The backlog this reading shows: each listed group's lag on its topic, summed; a group that has not committed
         * on its topic yet (not started, or still joining) owes the whole topic.
         */
        public long backlog(Reading reading) {
            long total = 0;
            for (Map.Entry<String, String> e : lagOf.entrySet()) {
                Long lag = reading.lags().stream().filter(g -> g.group().equals(e.getKey())).findFirst()
                        .map(g -> g.lagByTopic().get(e.getValue())).orElse(null);
                total += lag != null ? lag : reading.topicEnds().getOrDefault(e.getValue(), 0L);
            }
            return total;
        }
    }

    private final Policy policy;
    private final Supplier<Reading> lags;
    private volatile long backlog;
    private volatile double keepShare = 1.0;
    private volatile boolean readFailing;
    private Worker reader;

    /** @param lags reads the groups' lag and the topics' ends now (throws when the cluster does not answer) */
    public TrainingBacklog(Policy policy, Supplier<Reading> lags, MeterRegistry registry) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.lags = Objects.requireNonNull(lags, "lags");
        Gauge.builder("actor.training.backlog", this, TrainingBacklog::backlog).baseUnit("records")
                .description("training records not consumed yet (the scorer's lag on transitions)").register(registry);
        Gauge.builder("actor.training.keep.share", this, TrainingBacklog::keepShare)
                .description("share of new episodes emitted for training (1 = all; lower while the backlog is over its bound)")
                .register(registry);
    }

    /** Starts reading the backlog every {@code policy.every()}; a policy without a bound reads nothing. */
    public TrainingBacklog start() {
        if (policy.bounded()) {
            reader = Worker.named("actor-training-backlog").interruptOnStop().build(() -> {
                refresh();
                Thread.sleep(policy.every().toMillis());
            }).start();
        }
        return this;
    }

    /** Reads the backlog once and sets the share; a failed read keeps the last share (said once, not per read). */
    void refresh() {
        try {
            long now = policy.backlog(lags.get());
            double share = policy.keepShare(now);
            if (share < 1.0 && keepShare >= 1.0) {
                LOG.warn("training backlog {} is over its bound {}: keeping {}% of new episodes for training (all are served)",
                        now, policy.bound(), Math.round(100 * share));
            } else if (share >= 1.0 && keepShare < 1.0) {
                LOG.info("training backlog {} is back under its bound {}: keeping every episode", now, policy.bound());
            }
            backlog = now;
            keepShare = share;
            readFailing = false;
        } catch (RuntimeException e) {
            if (!readFailing) {
                LOG.warn("cannot read the training backlog ({}); keeping {}% of episodes until it can", e.getMessage(),
                        Math.round(100 * keepShare));
            }
            readFailing = true;
        }
    }

    /** Whether the episode with this id is emitted for training; decided at its first step. */
    public boolean keeps(String episodeId) {
        double share = keepShare;
        return share >= 1.0 || unitHash(episodeId) < share;
    }

    public long backlog() {
        return backlog;
    }

    public double keepShare() {
        return keepShare;
    }

    /** A fixed, well-spread value in [0, 1) per id (SplitMix64's finaliser over the id's hash). */
    static double unitHash(String id) {
        long z = id.hashCode() * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
