package dev.qstream.learner.deploy;

/** Count, mean and variance of one arm's episode rewards (Welford's running update; exact for any order). */
public final class ArmStats {

    private long n;
    private double mean;
    private double m2;

    public void add(double reward) {
        n++;
        double d = reward - mean;
        mean += d / n;
        m2 += d * (reward - mean);
    }

    public long count() {
        return n;
    }

    public double mean() {
        return n == 0 ? Double.NaN : mean;
    }

    /** Sample variance (n − 1); 0 below two episodes. */
    public double variance() {
        return n < 2 ? 0 : m2 / (n - 1);
    }

    public double std() {
        return Math.sqrt(variance());
    }

    /** Sum of squared deviations from the mean (Welford's M2), for checkpoints. */
    public double m2() {
        return m2;
    }

    /** An arm restored from a checkpoint's {@link #count()}, {@link #mean()} and {@link #m2()}. */
    public static ArmStats of(long n, double mean, double m2) {
        if (n < 0 || (n > 0 && !(Double.isFinite(mean) && m2 >= 0))) {
            throw new IllegalArgumentException("not an arm: n=" + n + ", mean=" + mean + ", m2=" + m2);
        }
        ArmStats a = new ArmStats();
        a.n = n;
        a.mean = n == 0 ? 0 : mean;
        a.m2 = n == 0 ? 0 : m2;
        return a;
    }

    public ArmStats copy() {
        ArmStats c = new ArmStats();
        c.n = n;
        c.mean = mean;
        c.m2 = m2;
        return c;
    }
}
