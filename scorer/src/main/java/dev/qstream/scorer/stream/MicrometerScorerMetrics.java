package dev.qstream.scorer.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The scorer's meters on Micrometer (mirrored to {@code qstream.metrics} by the service's {@code MetricsReporter}).
 * Counters are cumulative; the {@code *.rate} gauges are fractions over the most recent {@value #RECENT} outcomes,
 * so a dashboard sees today's behaviour rather than the average since start; {@code scorer.reward.mean} is tagged by
 * model version for the {@value #VERSIONS} newest versions only, which keeps the tag's cardinality bounded.
 */
public final class MicrometerScorerMetrics implements ScorerMetrics {

    /** Outcomes each rate gauge looks back over. */
    static final int RECENT = 1000;
    /** Model versions with a {@code scorer.reward.mean} gauge. */
    static final int VERSIONS = 8;
    /** Seconds the episodes-per-second gauge averages over. */
    static final int RATE_SECONDS = 10;

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final Counter episodes;
    private final Counter transitions;
    private final Counter duplicates;
    private final Counter feedbackReceived;
    private final Counter feedbackDuplicates;
    private final Counter feedbackJoined;
    private final Counter feedbackLate;
    private final Counter windowsClosed;
    private final DistributionSummary rewards;
    private final RecentFraction joinHits = new RecentFraction(RECENT);
    private final RecentFraction defaults = new RecentFraction(RECENT);
    private final RecentFraction late = new RecentFraction(RECENT);
    private final PerSecond episodeRate;
    private final AtomicLong lag = new AtomicLong();
    private final TreeMap<Long, VersionMean> byVersion = new TreeMap<>();

    public MicrometerScorerMetrics(MeterRegistry registry) {
        this(registry, System::currentTimeMillis);
    }

    MicrometerScorerMetrics(MeterRegistry registry, LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
        this.episodes = Counter.builder("scorer.episodes").description("episodes scored").register(registry);
        this.transitions = Counter.builder("scorer.transitions").description("scored transitions emitted").register(registry);
        this.duplicates = Counter.builder("scorer.duplicate.steps").description("duplicate steps ignored").register(registry);
        this.feedbackReceived = Counter.builder("scorer.feedback.received").description("feedback events accepted").register(registry);
        this.feedbackDuplicates = Counter.builder("scorer.feedback.duplicates").description("repeated feedback ids ignored").register(registry);
        this.feedbackJoined = Counter.builder("scorer.feedback.joined").description("feedback events joined inside their window").register(registry);
        this.feedbackLate = Counter.builder("scorer.feedback.late").description("feedback events turned into reward corrections").register(registry);
        this.windowsClosed = Counter.builder("scorer.feedback.windows").description("feedback windows closed").register(registry);
        this.rewards = DistributionSummary.builder("scorer.episode.reward").description("episode rewards").register(registry);
        this.episodeRate = new PerSecond(RATE_SECONDS, clock);
        Gauge.builder("scorer.feedback.join.hit.rate", joinHits, RecentFraction::value)
                .description("fraction of recent feedback windows that joined at least one event").register(registry);
        Gauge.builder("scorer.reward.default.rate", defaults, RecentFraction::value)
                .description("fraction of recent episodes whose reward used the default human value").register(registry);
        Gauge.builder("scorer.feedback.late.rate", late, RecentFraction::value)
                .description("fraction of recent feedback events that missed their window (corrections)").register(registry);
        Gauge.builder("scorer.episodes.per.second", episodeRate, PerSecond::value)
                .description("episodes scored per second over the last " + RATE_SECONDS + " s").register(registry);
        Gauge.builder("scorer.processing.lag.ms", lag, AtomicLong::get)
                .description("wall-clock time minus the timestamp of the latest input record").register(registry);
    }

    @Override
    public void episodeScored(long policyVersion, double episodeReward, int steps, boolean humanDefaulted) {
        episodes.increment();
        transitions.increment(steps);
        rewards.record(episodeReward);
        defaults.add(humanDefaulted);
        episodeRate.add();
        recordVersion(policyVersion, episodeReward);
    }

    @Override
    public void duplicateStep() {
        duplicates.increment();
    }

    @Override
    public void deadLettered(String reason) {
        Counter.builder("scorer.deadletters").tag("reason", reason).register(registry).increment();
    }

    @Override
    public void feedbackReceived() {
        feedbackReceived.increment();
    }

    @Override
    public void duplicateFeedback() {
        feedbackDuplicates.increment();
    }

    @Override
    public void windowClosed(int joinedEvents) {
        windowsClosed.increment();
        feedbackJoined.increment(joinedEvents);
        joinHits.add(joinedEvents > 0);
        for (int i = 0; i < joinedEvents; i++) {
            late.add(false);
        }
    }

    @Override
    public void lateFeedback() {
        feedbackLate.increment();
        late.add(true);
    }

    @Override
    public void processingLag(long millis) {
        lag.set(millis);
    }

    /** Keeps a gauge for the {@value #VERSIONS} newest versions; an older version's gauge is removed. */
    private synchronized void recordVersion(long version, double reward) {
        VersionMean mean = byVersion.get(version);
        if (mean == null) {
            if (byVersion.size() >= VERSIONS && version < byVersion.firstKey()) {
                return; // a straggler from a version already retired from the dashboard
            }
            mean = new VersionMean();
            mean.gauge = Gauge.builder("scorer.reward.mean", mean, VersionMean::value).tag("version", Long.toString(version))
                    .description("mean episode reward of a model version").register(registry);
            byVersion.put(version, mean);
            while (byVersion.size() > VERSIONS) {
                Map.Entry<Long, VersionMean> oldest = byVersion.pollFirstEntry();
                registry.remove(oldest.getValue().gauge);
            }
        }
        mean.add(reward);
    }

    /** Versions that currently have a gauge (for tests). */
    synchronized Set<Long> versions() {
        return new TreeSet<>(byVersion.keySet());
    }

    /** Running mean of one version's episode rewards. */
    private static final class VersionMean {
        private double sum;
        private long count;
        private Gauge gauge;

        synchronized void add(double reward) {
            sum += reward;
            count++;
        }

        synchronized double value() {
            return count == 0 ? Double.NaN : sum / count;
        }
    }

    /** The fraction of true among the last {@code size} outcomes (NaN before the first). */
    static final class RecentFraction {
        private final boolean[] ring;
        private int next;
        private int filled;
        private int trues;

        RecentFraction(int size) {
            this.ring = new boolean[size];
        }

        synchronized void add(boolean outcome) {
            if (filled == ring.length && ring[next]) {
                trues--;
            }
            ring[next] = outcome;
            if (outcome) {
                trues++;
            }
            next = (next + 1) % ring.length;
            filled = Math.min(filled + 1, ring.length);
        }

        synchronized double value() {
            return filled == 0 ? Double.NaN : (double) trues / filled;
        }
    }

    /** Events per second over the last {@code seconds} whole seconds of the clock. */
    static final class PerSecond {
        private final int seconds;
        private final LongSupplier clock;
        private final ArrayDeque<long[]> buckets = new ArrayDeque<>(); // {second, count}

        PerSecond(int seconds, LongSupplier clock) {
            this.seconds = seconds;
            this.clock = clock;
        }

        synchronized void add() {
            long second = clock.getAsLong() / 1000;
            long[] last = buckets.peekLast();
            if (last != null && last[0] == second) {
                last[1]++;
            } else {
                buckets.addLast(new long[]{second, 1});
            }
            drop(second);
        }

        synchronized double value() {
            long second = clock.getAsLong() / 1000;
            drop(second);
            long total = 0;
            for (Iterator<long[]> it = buckets.iterator(); it.hasNext(); ) {
                long[] b = it.next();
                if (b[0] < second) { // the current second is still filling up
                    total += b[1];
                }
            }
            return (double) total / seconds;
        }

        private void drop(long second) {
            while (!buckets.isEmpty() && buckets.peekFirst()[0] < second - seconds) {
                buckets.pollFirst();
            }
        }
    }
}
