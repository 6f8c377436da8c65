package dev.qstream.evaluator.ope;

/**
 * The sums an {@link Estimate} needs, kept as episodes arrive, so that a day of traffic is evaluated in constant
 * memory: the count, the mean and the sum of squared deviations of the per-episode values (Welford's update, which
 * stays accurate where the naive sum of squares cancels), and the sums of the final weights and their squares.
 */
public final class RunningEstimate {

    private int n;
    private double mean;
    private double squaredDeviations;
    private double weights;
    private double squaredWeights;

    /** One episode's value and final importance weight. */
    public void add(double value, double weight) {
        n++;
        double delta = value - mean;
        mean += delta / n;
        squaredDeviations += delta * (value - mean);
        weights += weight;
        squaredWeights += weight * weight;
    }

    public int episodes() {
        return n;
    }

    /**
     * @throws IllegalStateException before the first episode
     */
    public Estimate estimate() {
        if (n == 0) {
            throw new IllegalStateException("no episode to estimate from");
        }
        double se = n < 2 ? Double.NaN : Math.sqrt(squaredDeviations / (n - 1) / n);
        // (Σ w)² / Σ w²; 0 when every weight is 0 (the candidate never takes any logged action).
        double ess = squaredWeights == 0 ? 0 : weights * weights / squaredWeights;
        return new Estimate(mean, se, mean - Estimate.Z_95 * se, mean + Estimate.Z_95 * se, ess, n);
    }
}
