package dev.qstream.evaluator.ope;

/**
 * The doubly robust estimator, per-decision form (Jiang and Li 2016): the candidate's own value estimate V̂(s_0),
 * corrected step by step by importance-weighted surprises r_t − Q̂(s_t, a_t):
 *
 * <pre>  V̂_DR = mean over episodes of Σ_t γ^t [ ρ_{0:t} r_t − ρ_{0:t} Q̂(s_t,a_t) + ρ_{0:t−1} V̂(s_t) ],   ρ_{0:−1} = 1</pre>
 *
 * with the same clipped ratios as {@link PerDecisionImportanceSampling}. Unbiased (unclipped) whatever Q̂ is, since
 * E_{a~π}[Q̂(s,a)] = V̂(s) makes the model terms cancel in expectation; the better Q̂ predicts the rewards, the more
 * of the reward's noise they cancel, so the lower its variance than PDIS's. With Q̂ ≡ 0 it is PDIS.
 */
public final class DoublyRobust implements EpisodeEstimator {

    private final EstimatorSettings settings;

    public DoublyRobust(EstimatorSettings settings) {
        this.settings = settings;
    }

    @Override
    public double episodeValue(LoggedEpisode episode) {
        double value = 0;
        double discount = 1;
        double rhoBefore = 1; // ρ_{0:t−1}
        for (LoggedStep step : episode.steps()) {
            double rho = rhoBefore * settings.clippedRatio(step);
            value += discount * (rho * (step.reward() - step.targetQ()) + rhoBefore * step.targetValue());
            rhoBefore = rho;
            discount *= settings.gamma();
        }
        return value;
    }

    @Override
    public double episodeWeight(LoggedEpisode episode) {
        return settings.finalWeight(episode);
    }
}
