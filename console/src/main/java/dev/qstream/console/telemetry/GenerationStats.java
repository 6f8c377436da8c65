package dev.qstream.console.telemetry;

import dev.qstream.runtime.http.RecentEpisodes;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What the generations topic says about learning: mean episode reward per model version and per time bucket, and
 * the newest generations for the table. The actor writes each episode's summary unscored, the scorer writes it again
 * with scores; rewards count once, from the scored copy.
 */
public final class GenerationStats {

    /**
     * Mean reward of the episodes one model version generated, with the half-width of its normal 95% interval
     * (1.96·s/√n; NaN below two episodes): the band the dashboard draws, so a champion and its challenger can be told
     * apart from noise.
     */
    public record VersionReward(long version, long episodes, double meanReward, double ci95) {
    }

    /** Mean reward of the episodes scored in one time bucket. */
    public record RewardBucket(long startMillis, long episodes, double meanReward) {
    }

    /** One row of the recent-generations table; {@code reward} is null until the scorer has scored it. */
    public record Generation(String episodeId, String promptId, String actorId, String prompt, String text,
                             Double reward, long version, long createdAtMillis) {
    }

    private final long bucketMillis;
    private final int maxBuckets;
    private final int maxRecent;
    private final TreeMap<Long, double[]> byVersion = new TreeMap<>();   // version -> [count, sum, sum of squares]
    private final TreeMap<Long, double[]> byTime = new TreeMap<>();      // bucket start -> [count, sum, sum of squares]
    private final LinkedHashMap<String, Generation> recent;
    private long scoredEpisodes;
    /** Ids of the episodes seen, so feedback can be checked against what this deployment produced. */
    private final RecentEpisodes produced = new RecentEpisodes(PRODUCED_CAPACITY);
    /** Episodes served without being kept for training (the actors' training backlog was over its bound). */
    private final RecentEpisodes heldBack = new RecentEpisodes(PRODUCED_CAPACITY);

    /** Episode ids remembered for {@link #produced(UUID)} (about 15 MB). */
    public static final int PRODUCED_CAPACITY = 200_000;

    public GenerationStats(long bucketMillis, int maxBuckets, int maxRecent) {
        if (bucketMillis <= 0 || maxBuckets < 1 || maxRecent < 1) {
            throw new IllegalArgumentException("bucket, bucket count and table size must be positive");
        }
        this.bucketMillis = bucketMillis;
        this.maxBuckets = maxBuckets;
        this.maxRecent = maxRecent;
        this.recent = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Generation> eldest) {
                return size() > GenerationStats.this.maxRecent;
            }
        };
    }

    public synchronized void accept(Episode episode) {
        produced.remember(episode.getEpisodeId(), "");
        if (episode.getExploration() == ExplorationStrategy.DEMONSTRATION) {
            return; // a reference said by the teacher, not the policy: not a generation to chart or rate
        }
        if (!episode.getKeptForTraining()) {
            heldBack.remember(episode.getEpisodeId(), "");
            return; // served, but no transitions went out: never scored, nothing to rate
        }
        String id = episode.getEpisodeId().toString();
        long at = episode.getCreatedAt().toEpochMilli();
        if (episode.getScores() == null) {
            if (!recent.containsKey(id)) {
                recent.put(id, row(episode, null));
            }
            return;
        }
        double reward = episode.getScores().getReward();
        if (!Double.isFinite(reward)) {
            return;
        }
        scoredEpisodes++;
        add(byVersion, episode.getPolicyVersion(), reward);
        add(byTime, Math.floorDiv(at, bucketMillis) * bucketMillis, reward);
        while (byTime.size() > maxBuckets) {
            byTime.pollFirstEntry();
        }
        recent.remove(id); // re-inserted so a freshly scored row moves to the top
        recent.put(id, row(episode, reward));
    }

    private static void add(TreeMap<Long, double[]> map, long key, double reward) {
        double[] acc = map.computeIfAbsent(key, k -> new double[3]);
        acc[0]++;
        acc[1] += reward;
        acc[2] += reward * reward;
    }

    private static double ci95(double[] acc) {
        double n = acc[0];
        if (n < 2) {
            return Double.NaN;
        }
        double mean = acc[1] / n;
        double variance = Math.max(0, (acc[2] - n * mean * mean) / (n - 1));
        return 1.96 * Math.sqrt(variance / n);
    }

    private static Generation row(Episode e, Double reward) {
        return new Generation(e.getEpisodeId().toString(), e.getPromptId(), e.getActorId(), e.getPrompt(), e.getText(),
                reward, e.getPolicyVersion(), e.getCreatedAt().toEpochMilli());
    }

    /** True when a generation with this episode id was seen (among the newest {@value #PRODUCED_CAPACITY}). */
    public boolean produced(UUID episodeId) {
        return produced.text(episodeId) != null;
    }

    /** True when the actor served this episode but did not emit it for training (feedback on it cannot be learned). */
    public boolean heldBack(UUID episodeId) {
        return heldBack.text(episodeId) != null;
    }

    public synchronized List<VersionReward> byVersion() {
        List<VersionReward> out = new ArrayList<>();
        byVersion.forEach((v, acc) -> out.add(new VersionReward(v, (long) acc[0], acc[1] / acc[0], ci95(acc))));
        return out;
    }

    public synchronized List<RewardBucket> overTime() {
        List<RewardBucket> out = new ArrayList<>();
        byTime.forEach((t, acc) -> out.add(new RewardBucket(t, (long) acc[0], acc[1] / acc[0])));
        return out;
    }

    /** The newest generations first, at most {@code limit}. */
    public synchronized List<Generation> recent(int limit) {
        List<Generation> rows = new ArrayList<>(recent.values());
        Collections.reverse(rows);
        return rows.subList(0, Math.min(limit, rows.size()));
    }

    public synchronized long scoredEpisodes() {
        return scoredEpisodes;
    }

    /** Mean reward over the newest {@code buckets} time buckets; NaN when none. */
    public synchronized double recentMeanReward(int buckets) {
        double count = 0;
        double sum = 0;
        int seen = 0;
        for (double[] acc : byTime.descendingMap().values()) {
            if (seen++ == buckets) {
                break;
            }
            count += acc[0];
            sum += acc[1];
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
