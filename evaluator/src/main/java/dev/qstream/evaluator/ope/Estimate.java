package dev.qstream.evaluator.ope;

/**
 * One estimator's answer: the mean of its per-episode estimates with a 95% confidence interval from the normal
 * approximation (mean ± 1.96·s/√n, s the sample standard deviation of the per-episode estimates; it assumes enough
 * episodes for the central limit theorem, and says nothing about the bias clipping adds), and the effective sample
 * size of the episodes' final importance weights.
 *
 * @param value               the estimated value of the policy (mean return per episode)
 * @param standardError       s/√n; NaN with fewer than two episodes
 * @param ciLow               lower end of the 95% interval (NaN with fewer than two episodes)
 * @param ciHigh              upper end of the 95% interval
 * @param effectiveSampleSize (Σ w_i)² / Σ w_i² over the final weights: how many on-policy episodes the weighted ones
 *                            are worth; n when every weight is equal, near 1 when one episode dominates
 * @param episodes            n
 */
public record Estimate(double value, double standardError, double ciLow, double ciHigh, double effectiveSampleSize,
                       int episodes) {

    /** The standard normal's 97.5% quantile: the half-width of a two-sided 95% interval in standard errors. */
    public static final double Z_95 = 1.959963984540054;

    /**
     * @param perEpisode   each episode's estimate
     * @param finalWeights each episode's final cumulative importance weight (all 1 for an on-policy mean)
     */
    public static Estimate of(double[] perEpisode, double[] finalWeights) {
        if (finalWeights.length != perEpisode.length) {
            throw new IllegalArgumentException("need one weight per episode");
        }
        RunningEstimate running = new RunningEstimate();
        for (int i = 0; i < perEpisode.length; i++) {
            running.add(perEpisode[i], finalWeights[i]);
        }
        return running.estimate();
    }

    /** True when the interval contains {@code x}. */
    public boolean covers(double x) {
        return ciLow <= x && x <= ciHigh;
    }
}
