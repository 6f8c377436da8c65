package dev.qstream.learner.replay;

/**
 * Replay settings.
 *
 * @param capacity          transitions kept (the oldest is overwritten)
 * @param prioritized       proportional prioritized replay (true) or uniform sampling (false)
 * @param alpha             how much priorities matter: P(i) ∝ p_i^α (0 = uniform)
 * @param betaStart         importance-sampling correction at the start, annealed linearly to 1
 * @param betaAnnealUpdates updates over which β reaches 1
 * @param priorityEpsilon   added to |TD error| so no transition gets probability 0
 */
public record ReplayConfig(int capacity, boolean prioritized, double alpha, double betaStart, long betaAnnealUpdates,
                           double priorityEpsilon) {

    public ReplayConfig {
        if (capacity < 1 || alpha < 0 || betaStart < 0 || betaStart > 1 || betaAnnealUpdates < 1 || !(priorityEpsilon > 0)) {
            throw new IllegalArgumentException("invalid replay settings: " + this);
        }
    }

    /** The learner's defaults: prioritized, 200,000 transitions. */
    public static ReplayConfig defaults() {
        return prioritized(200_000);
    }

    public static ReplayConfig uniform(int capacity) {
        return new ReplayConfig(capacity, false, 0.6, 0.4, 100_000, 1e-3);
    }

    public static ReplayConfig prioritized(int capacity) {
        return new ReplayConfig(capacity, true, 0.6, 0.4, 100_000, 1e-3);
    }

    public double beta(long updates) {
        return Math.min(1.0, betaStart + (1.0 - betaStart) * updates / betaAnnealUpdates);
    }
}
