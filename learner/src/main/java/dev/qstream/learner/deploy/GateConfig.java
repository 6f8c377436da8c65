package dev.qstream.learner.deploy;

/**
 * The promotion gate's knobs.
 *
 * @param canaryFraction     share of episodes a challenger serves during its trial
 * @param minEpisodes        scored episodes each arm needs before the gate looks at all
 * @param maxEpisodes        challenger episodes after which an undecided trial is decided on its point estimate
 * @param confidence         two-sided confidence level of the interval on (challenger − champion) mean reward
 * @param margin             how much lower the challenger's mean may be and still count as not worse
 * @param drillBadChallenger the trial (1-based, counted from this learner's start) whose challenger is sabotaged to
 *                           end every episode at once, to rehearse a rollback; 0 = never
 */
public record GateConfig(double canaryFraction, int minEpisodes, int maxEpisodes, double confidence, double margin,
                         int drillBadChallenger) {

    public GateConfig {
        if (!(canaryFraction > 0 && canaryFraction < 1)) {
            throw new IllegalArgumentException("canary fraction must be in (0, 1), got " + canaryFraction);
        }
        if (minEpisodes < 2 || maxEpisodes < minEpisodes) {
            throw new IllegalArgumentException("need 2 <= minEpisodes <= maxEpisodes, got " + minEpisodes + ", " + maxEpisodes);
        }
        if (!(confidence > 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + confidence);
        }
        if (!(margin >= 0) || drillBadChallenger < 0) {
            throw new IllegalArgumentException("margin and drillBadChallenger must be >= 0");
        }
    }

    public static GateConfig defaults() {
        return new GateConfig(0.1, 200, 2_000, 0.95, 0.02, 0);
    }
}
