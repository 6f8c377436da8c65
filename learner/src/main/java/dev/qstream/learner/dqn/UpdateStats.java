package dev.qstream.learner.dqn;

/**
 * What one update measured.
 *
 * @param loss     mean (weighted) Huber loss of the batch
 * @param meanQ    mean Q(s, a) of the taken actions before the update
 * @param meanAbsTd mean |TD error|
 * @param gradNorm global gradient norm before clipping
 * @param tdErrors per-row TD errors (for prioritized replay), length = batch size
 */
public record UpdateStats(double loss, double meanQ, double meanAbsTd, double gradNorm, float[] tdErrors) {
}
