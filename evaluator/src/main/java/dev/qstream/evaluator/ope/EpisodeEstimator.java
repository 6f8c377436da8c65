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

    /** Adds one episode to a running estimate. */
    default void addTo(RunningEstimate running, LoggedEpisode episode) {
        running.add(episodeValue(episode), episodeWeight(episode));
    }

    default Estimate estimate(List<LoggedEpisode> episodes) {
        RunningEstimate running = new RunningEstimate();
        episodes.forEach(e -> addTo(running, e));
        return running.estimate();
    }
}
