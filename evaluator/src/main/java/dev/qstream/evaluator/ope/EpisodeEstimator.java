package dev.qstream.evaluator.ope;

import java.util.List;

/**
 * An estimator that computes one number per logged episode and averages them: the per-episode numbers are
 * independent (episodes are), which is what the confidence interval of {@link Estimate} rests on.
 */
public interface EpisodeEstimator {

    /** This episode's estimate of the policy's return. */
    double episodeValue(LoggedEpisode episode);

    /** This episode's final importance weight, for the effective sample size. */
    double episodeWeight(LoggedEpisode episode);

    default Estimate estimate(List<LoggedEpisode> episodes) {
        double[] values = new double[episodes.size()];
        double[] weights = new double[episodes.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = episodeValue(episodes.get(i));
            weights[i] = episodeWeight(episodes.get(i));
        }
        return Estimate.of(values, weights);
    }
}
