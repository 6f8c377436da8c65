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

    public ArmStats copy() {
        ArmStats c = new ArmStats();
        c.n = n;
        c.mean = mean;
        c.m2 = m2;
        return c;
    }
}
