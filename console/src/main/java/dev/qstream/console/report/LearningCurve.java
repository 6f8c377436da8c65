package dev.qstream.console.report;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learning curve as the topics record it: scored episodes' rewards (generations topic) in time buckets, the
 * learner's update count over time ({@code learner.updates}), and the held-out ROUGE-L F per evaluated model version
 * ({@code eval.rougeL.f}, tag {@code version}). Rewards and evaluations are placed against time and, through the
 * update count at that moment, against updates.
 */
public final class LearningCurve {

    /** A curve ready to plot. */
    public record Curve(double[] x, double[] y) {
        public int size() {
            return x.length;
        }
    }

    /** One held-out evaluation: when it was reported and its score. */
    private record Evaluation(long timeMillis, double rougeL) {
    }

    public static final String UPDATES = "learner.updates";
    public static final String HELD_OUT = "eval.rougeL.f";

    private final long bucketMillis;
    private final TreeMap<Long, double[]> rewards = new TreeMap<>();                  // bucket -> [count, sum]
    private final Map<String, TreeMap<Long, Double>> updatesByLearner = new HashMap<>();
    private final TreeMap<Long, Evaluation> heldOut = new TreeMap<>();                // version -> newest evaluation
    private long episodes;

    public LearningCurve(long bucketMillis) {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("bucket must be positive");
        }
        this.bucketMillis = bucketMillis;
    }

    /** Counts a scored episode; the actors' unscored summaries are ignored. */
    public void accept(Episode episode) {
        // A demonstration's reward measures the reference it said, not the policy: not part of the curve.
        if (episode.getScores() == null || !Double.isFinite(episode.getScores().getReward())
                || episode.getExploration() == ExplorationStrategy.DEMONSTRATION) {
            return;
        }
        long bucket = Math.floorDiv(episode.getCreatedAt().toEpochMilli(), bucketMillis) * bucketMillis;
        double[] acc = rewards.computeIfAbsent(bucket, b -> new double[2]);
        acc[0]++;
        acc[1] += episode.getScores().getReward();
        episodes++;
    }

    public void accept(MetricEvent event) {
        if (!Double.isFinite(event.getValue())) {
            return;
        }
        long at = event.getTimestamp().toEpochMilli();
        if (event.getName().equals(UPDATES)) {
            updatesByLearner.computeIfAbsent(event.getInstanceId(), k -> new TreeMap<>()).put(at, event.getValue());
        } else if (event.getName().equals(HELD_OUT)) {
            String version = event.getTags().get("version");
            if (version != null && version.strip().matches("\\d+")) {
                heldOut.merge(Long.parseLong(version.strip()), new Evaluation(at, event.getValue()),
                        (old, e) -> e.timeMillis() >= old.timeMillis() ? e : old);
            }
        }
    }

    public long episodes() {
        return episodes;
    }

    public int evaluations() {
        return heldOut.size();
    }

    public boolean knowsUpdates() {
        return !updatesByLearner.isEmpty();
    }

    /** Epoch millis of the first data point (episode bucket or evaluation). */
    public long startMillis() {
        long start = Long.MAX_VALUE;
        if (!rewards.isEmpty()) {
            start = rewards.firstKey();
        }
        for (Evaluation e : heldOut.values()) {
            start = Math.min(start, e.timeMillis());
        }
        return start == Long.MAX_VALUE ? 0 : start;
    }

    /**
     * Mean episode reward, merged into at most {@code maxPoints} buckets, against minutes since the start.
     */
    public Curve rewardOverTime(int maxPoints) {
        return rewards(maxPoints, false);
    }

    /** Mean episode reward against the learner's update count at the time (only once updates are known). */
    public Curve rewardOverUpdates(int maxPoints) {
        return rewards(maxPoints, true);
    }

    public Curve heldOutOverTime() {
        return heldOut(false);
    }

    public Curve heldOutOverUpdates() {
        return heldOut(true);
    }

    /** Mean reward of the first and the last tenth of the scored episodes' buckets (NaN when none). */
    public double[] firstAndLastTenthMeanReward() {
        List<double[]> buckets = new ArrayList<>(rewards.values());
        if (buckets.isEmpty()) {
            return new double[]{Double.NaN, Double.NaN};
        }
        int tenth = Math.max(1, buckets.size() / 10);
        return new double[]{mean(buckets.subList(0, tenth)), mean(buckets.subList(buckets.size() - tenth, buckets.size()))};
    }

    private static double mean(List<double[]> buckets) {
        double n = 0;
        double sum = 0;
        for (double[] b : buckets) {
            n += b[0];
            sum += b[1];
        }
        return sum / n;
    }

    private Curve rewards(int maxPoints, boolean againstUpdates) {
        List<Map.Entry<Long, double[]>> buckets = new ArrayList<>(rewards.entrySet());
        int per = Math.max(1, (int) Math.ceil(buckets.size() / (double) Math.max(1, maxPoints)));
        long start = startMillis();
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i += per) {
            double n = 0;
            double sum = 0;
            double time = 0;
            for (int j = i; j < Math.min(buckets.size(), i + per); j++) {
                double[] acc = buckets.get(j).getValue();
                n += acc[0];
                sum += acc[1];
                time += acc[0] * (buckets.get(j).getKey() + bucketMillis / 2.0);
            }
            long at = (long) (time / n);
            double x = againstUpdates ? updatesAt(at) : (at - start) / 60_000.0;
            if (Double.isFinite(x)) {
                points.add(new double[]{x, sum / n});
            }
        }
        return curve(points);
    }

    private Curve heldOut(boolean againstUpdates) {
        long start = startMillis();
        List<double[]> points = new ArrayList<>();
        for (Evaluation e : heldOut.values()) {
            double x = againstUpdates ? updatesAt(e.timeMillis()) : (e.timeMillis() - start) / 60_000.0;
            if (Double.isFinite(x)) {
                points.add(new double[]{x, e.rougeL()});
            }
        }
        points.sort((a, b) -> Double.compare(a[0], b[0]));
        return curve(points);
    }

    /**
     * The learners' total update count at a moment, interpolated linearly between their samples; 0 before a
     * learner's first sample (its counter starts at 0), its last value after the last; NaN when no learner reported.
     */
    double updatesAt(long timeMillis) {
        if (updatesByLearner.isEmpty()) {
            return Double.NaN;
        }
        double total = 0;
        for (TreeMap<Long, Double> samples : updatesByLearner.values()) {
            Map.Entry<Long, Double> before = samples.floorEntry(timeMillis);
            Map.Entry<Long, Double> after = samples.ceilingEntry(timeMillis);
            if (before == null) {
                continue;
            }
            if (after == null || after.getKey().equals(before.getKey())) {
                total += before.getValue();
            } else {
                double f = (timeMillis - before.getKey()) / (double) (after.getKey() - before.getKey());
                total += before.getValue() + f * (after.getValue() - before.getValue());
            }
        }
        return total;
    }

    private static Curve curve(List<double[]> points) {
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        return new Curve(x, y);
    }
}
