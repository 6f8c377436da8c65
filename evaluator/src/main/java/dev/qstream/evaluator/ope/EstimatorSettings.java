package dev.qstream.evaluator.ope;

/**
 * The knobs every estimator shares.
 *
 * @param gamma    discount γ of the return being estimated, Σ_t γ^t r_t. Default 1: the scorer's per-step rewards
 *                 telescope to the episode reward, which is what "did better" means for a generated text
 * @param maxRatio each per-step importance ratio π/μ is clipped to at most this (default 10;
 *                 {@link Double#POSITIVE_INFINITY} turns clipping off). Clipping trades variance for bias: the
 *                 actions the candidate prefers and the behaviour rarely took are under-weighted, so the estimate
 *                 leans toward the behaviour policy's choices (with non-negative rewards it can only fall), and
 *                 the confidence interval does not include that bias
 */
public record EstimatorSettings(double gamma, double maxRatio) {

    public static final double DEFAULT_GAMMA = 1.0;
    public static final double DEFAULT_MAX_RATIO = 10.0;

    public EstimatorSettings {
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
        }
        if (!(maxRatio >= 1)) {
            // Below 1 even the behaviour policy's own actions would be down-weighted.
            throw new IllegalArgumentException("the ratio clip must be >= 1 (Infinity = no clipping), got " + maxRatio);
        }
    }

    public static EstimatorSettings defaults() {
        return new EstimatorSettings(DEFAULT_GAMMA, DEFAULT_MAX_RATIO);
    }

    /** The step's importance ratio π/μ, clipped to {@link #maxRatio}. */
    public double clippedRatio(LoggedStep step) {
        return Math.min(step.ratio(), maxRatio);
    }

    /** True when the step's ratio was cut by the clip. */
    public boolean clips(LoggedStep step) {
        return step.ratio() > maxRatio;
    }

    /** ρ_{0:T−1}: the product of the episode's clipped ratios, its weight in the effective sample size. */
    public double finalWeight(LoggedEpisode episode) {
        double rho = 1;
        for (LoggedStep step : episode.steps()) {
            rho *= clippedRatio(step);
        }
        return rho;
    }
}
