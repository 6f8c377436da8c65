package dev.qstream.evaluator.ope;

/**
 * The on-policy estimate of the policy that logged the episodes: the mean discounted return Σ_t γ^t r_t, every
 * episode weighted 1. It is what the off-policy estimates are compared with, and (on the episodes a candidate served
 * itself) the check on them.
 */
public final class BehaviourReturn implements EpisodeEstimator {

    private final double gamma;

    public BehaviourReturn(EstimatorSettings settings) {
        this.gamma = settings.gamma();
    }

    @Override
    public double episodeValue(LoggedEpisode episode) {
        double value = 0;
        double discount = 1;
        for (LoggedStep step : episode.steps()) {
            value += discount * step.reward();
            discount *= gamma;
        }
        return value;
    }

    @Override
    public double episodeWeight(LoggedEpisode episode) {
        return 1;
    }
}
