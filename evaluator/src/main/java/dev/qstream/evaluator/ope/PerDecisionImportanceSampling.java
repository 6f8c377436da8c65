package dev.qstream.evaluator.ope;

/**
 * Per-decision importance sampling (Precup, Sutton and Singh 2000): each reward is re-weighted by the ratios of the
 * decisions that led to it, and no later ones, which is what makes it less noisy than weighting the whole return by
 * the whole episode's ratio:
 *
 * <pre>  V̂_PDIS = mean over episodes of Σ_t γ^t ρ_{0:t} r_t,   ρ_{0:t} = Π_{k≤t} min(π(a_k|s_k)/μ(a_k|s_k), clip)</pre>
 *
 * Unbiased without the clip (given μ > 0 wherever π > 0); the clip bounds the variance and biases the estimate
 * toward the behaviour policy's choices (see {@link EstimatorSettings#maxRatio()}).
 */
public final class PerDecisionImportanceSampling implements EpisodeEstimator {

    private final EstimatorSettings settings;

    public PerDecisionImportanceSampling(EstimatorSettings settings) {
        this.settings = settings;
    }

    @Override
    public double episodeValue(LoggedEpisode episode) {
        double value = 0;
        double discount = 1;
        double rho = 1;
        for (LoggedStep step : episode.steps()) {
            rho *= settings.clippedRatio(step);
            value += discount * rho * step.reward();
            discount *= settings.gamma();
        }
        return value;
    }

    @Override
    public double episodeWeight(LoggedEpisode episode) {
        return settings.finalWeight(episode);
    }
}
