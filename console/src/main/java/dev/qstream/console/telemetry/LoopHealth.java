package dev.qstream.console.telemetry;

import dev.qstream.runtime.kafka.GroupLag;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One screen of the loop's health, read from the topics: versions published and served, rates, reward, lag, dead
 * letters, instances up and down. {@code ./qstream status} prints it; the dashboard's header shows it. A null number
 * means the topics did not say (e.g. no learner has reported yet).
 *
 * @param windowSeconds how far back the topics were read
 * @param policyLag     the learner's last batch's mean policy lag: its newest version minus the versions that
 *                      chose the sampled actions (docs/LEARNER.md)
 */
public record LoopHealth(long generatedAtMillis, long windowSeconds,
                         Long publishedVersion, Long publishedAtMillis, Map<String, Long> servedVersions,
                         Double learnerUpdates, Double updatesPerSecond, Double samplesPerSecond, Double replaySize,
                         Double loss, Double policyLag, Double episodesPerSecond, Double tokensPerSecond, Double scoredEpisodesPerSecond,
                         long scoredEpisodes, Double meanRewardLastMinute, HeldOut heldOut,
                         List<GroupLag> lag, String lagError, long deadLetters, List<DeadLetterLog.Count> deadLetterCounts,
                         List<DeadLetterLog.Letter> newestDeadLetters, List<InstanceState> instances,
                         DeploymentHistory.Serving deployment, DeploymentHistory.Event lastDecision) {

    public LoopHealth {
        servedVersions = Collections.unmodifiableMap(new TreeMap<>(servedVersions)); // sorted by actor
    }

    /** The newest held-out evaluation: the model version evaluated and its ROUGE-L F. */
    public record HeldOut(long version, double rougeL) {
    }

    public long instancesUp() {
        return instances.stream().filter(InstanceState::up).count();
    }

    public long instancesDown() {
        return instances.size() - instancesUp();
    }

    public static LoopHealth from(LoopTelemetry t, List<GroupLag> lag, String lagError, long nowMillis, long windowSeconds) {
        MetricBoard m = t.metrics();
        Long published = null;
        Long publishedAt = null;
        var latest = t.models().latest();
        if (latest.isPresent()) {
            published = latest.get().version();
            publishedAt = latest.get().createdAtMillis();
        } else {
            Double v = finite(m.latestSum("learner.model.version", k -> true));
            published = v == null ? null : v.longValue();
        }
        Map<String, Long> served = new TreeMap<>();
        for (MetricSeries s : m.named("actor.model.version")) {
            if (s.latest() != null) {
                served.put(s.key().instanceId(), (long) s.latest().value());
            }
        }
        Double tokens = finite(m.latestRateSum("actor.tokens", k -> true));
        if (tokens == null) {
            tokens = finite(m.latestRateSum("actor.transitions", k -> true)); // one transition per token
        }
        return new LoopHealth(nowMillis, windowSeconds, published, publishedAt, served,
                finite(m.latestSum("learner.updates", k -> true)),
                finite(m.latestRateSum("learner.updates", k -> true)),
                finite(m.latestSum("learner.samples.per.second", k -> true)),
                finite(m.latestSum("learner.replay.size", k -> true)),
                finite(m.latestSum("learner.loss", k -> true)),
                finite(m.latestSum("learner.policy.lag.mean", k -> true)), // one training learner reports it
                finite(m.latestRateSum("actor.episodes", k -> true)),
                tokens,
                finite(m.latestRateSum("scorer.episodes", k -> true)),
                t.generations().scoredEpisodes(),
                finite(t.generations().recentMeanReward(6)),
                heldOut(m), lag, lagError, t.deadLetters().total(), t.deadLetters().counts(),
                t.deadLetters().newest(5), m.liveness().states(nowMillis), t.deployments().serving(),
                t.deployments().newest(1).stream().findFirst().orElse(null));
    }

    private static HeldOut heldOut(MetricBoard m) {
        HeldOut best = null;
        for (MetricSeries s : m.named("eval.rougeL.f")) {
            String tag = s.key().tag("version");
            if (tag == null || s.latest() == null) {
                continue;
            }
            try {
                long version = Long.parseLong(tag.strip());
                if (best == null || version > best.version()) {
                    best = new HeldOut(version, s.latest().value());
                }
            } catch (NumberFormatException e) {
                // not a version number: not part of the curve
            }
        }
        return best;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
