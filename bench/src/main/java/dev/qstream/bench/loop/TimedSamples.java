package dev.qstream.bench.loop;

import java.util.Arrays;

/**
 * Values stamped with the wall-clock time they describe (epoch milliseconds), appended by one thread and read by
 * another: a scored transition's lag at the moment it was scored, a consumer group's lag when it was read. Asked
 * for a time range, it answers with percentiles and with how much they grew from the first third of the range to
 * the last, which is what "the lag stays bounded" means in {@code bench loop}.
 */
public final class TimedSamples {

    private long[] at = new long[1024];
    private double[] values = new double[1024];
    private int size;

    public synchronized void add(long atMillis, double value) {
        if (size == at.length) {
            at = Arrays.copyOf(at, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        at[size] = atMillis;
        values[size] = value;
        size++;
    }

    /** Samples stamped in {@code [fromMillis, toMillis)}. */
    public synchronized int count(long fromMillis, long toMillis) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (at[i] >= fromMillis && at[i] < toMillis) {
                n++;
            }
        }
        return n;
    }

    /**
     * The {@code percentile} (0-100, nearest rank) of the values stamped in {@code [fromMillis, toMillis)}; NaN when
     * there are none.
     */
    public synchronized double percentile(long fromMillis, long toMillis, double percentile) {
        double[] in = new double[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (at[i] >= fromMillis && at[i] < toMillis) {
                in[n++] = values[i];
            }
        }
        return nearestRank(Arrays.copyOf(in, n), percentile);
    }

    /**
     * How far the {@code percentile} rose over the range: its value over the last third of {@code [fromMillis,
     * toMillis)} minus its value over the first third. Near zero for a lag that holds steady, positive and growing
     * with the range for one that builds up; NaN when either third has no sample.
     */
    public double growth(long fromMillis, long toMillis, double percentile) {
        long third = (toMillis - fromMillis) / 3;
        return percentile(toMillis - third, toMillis, percentile) - percentile(fromMillis, fromMillis + third, percentile);
    }

    /**
     * Per second rise of a cumulative value (a counter) over the range: from the first sample stamped in it to the
     * last, divided by the seconds between their stamps; NaN with fewer than two samples.
     */
    public double ratePerSecond(long fromMillis, long toMillis) {
        double[] ends = ends(fromMillis, toMillis);
        return ends == null || ends[0] == ends[1] ? Double.NaN : (ends[3] - ends[2]) / ((ends[1] - ends[0]) / 1000.0);
    }

    /** How much a cumulative value rose from the first sample stamped in the range to the last; NaN with none. */
    public double increase(long fromMillis, long toMillis) {
        double[] ends = ends(fromMillis, toMillis);
        return ends == null ? Double.NaN : ends[3] - ends[2];
    }

    /** {first stamp, last stamp, first value, last value} in the range, or null when it holds no sample. */
    private synchronized double[] ends(long fromMillis, long toMillis) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < size; i++) {
            if (at[i] >= fromMillis && at[i] < toMillis) {
                if (first < 0 || at[i] < at[first]) {
                    first = i;
                }
                if (last < 0 || at[i] >= at[last]) {
                    last = i;
                }
            }
        }
        return first < 0 ? null : new double[]{at[first], at[last], values[first], values[last]};
    }

    /** Mean of the values stamped in the range; NaN when there are none. */
    public synchronized double mean(long fromMillis, long toMillis) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (at[i] >= fromMillis && at[i] < toMillis) {
                sum += values[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The largest value stamped in the range; NaN when there are none. */
    public synchronized double max(long fromMillis, long toMillis) {
        double max = Double.NaN;
        for (int i = 0; i < size; i++) {
            if (at[i] >= fromMillis && at[i] < toMillis && !(values[i] <= max)) {
                max = values[i];
            }
        }
        return max;
    }

    /** The smallest value stamped in the range; NaN when there are none. */
    public synchronized double min(long fromMillis, long toMillis) {
        double min = Double.NaN;
        for (int i = 0; i < size; i++) {
            if (at[i] >= fromMillis && at[i] < toMillis && !(values[i] >= min)) {
                min = values[i];
            }
        }
        return min;
    }

    /** The percentile of the first third of the range (what {@link #growth} starts from). */
    public double firstThird(long fromMillis, long toMillis, double percentile) {
        return percentile(fromMillis, fromMillis + (toMillis - fromMillis) / 3, percentile);
    }

    /** Nearest-rank percentile: the smallest value with at least {@code percentile}% of the values at or below it. */
    static double nearestRank(double[] values, double percentile) {
        if (values.length == 0) {
            return Double.NaN;
        }
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + percentile);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
