package dev.qstream.bench.loop;

import dev.qstream.learner.service.LearnerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the loop kept up with a rate step, and if not, which stage did not: the decision {@code bench loop}
 * prints, in one place so that a test can hold it. A stage keeps up when what comes out of it keeps pace with what
 * goes in and its lag does not build up across the step; the stages are judged in the loop's order (actor, scorer,
 * learner), so the first one named is the one closest to the traffic.
 */
public final class Saturation {

    /** A stage of the loop. */
    public enum Stage { ACTOR, SCORER, LEARNER }

    /** One stage that did not keep up, and the measurement that says so. */
    public record Finding(Stage stage, String reason) {
    }

    /**
     * @param minThroughputShare the share of its input a stage must put out (e.g. 0.9)
     * @param minLagGrowthSeconds lag growth across a window below this is noise, not a build-up
     * @param relativeLagGrowth  and so is growth below this share of the lag the window started with
     * @param maxLagSeconds      a scorer lag (p99) above this is not bounded, steady or not
     * @param maxPausedShare     the learner may find its ingest paused in at most this share of its samples
     * @param targetSamplesPerInsert the replay ratio the learner is configured to train at
     * @param minReplayRatioShare the learner must train at least this share of its ratio: below it, it takes in
     *                           the data but learns less from each transition than it is set to
     */
    public record Thresholds(double minThroughputShare, double minLagGrowthSeconds, double relativeLagGrowth,
                             double maxLagSeconds, double maxPausedShare, double targetSamplesPerInsert,
                             double minReplayRatioShare) {

        /**
         * A stage must put out 80% of its input: the scorer emits in bursts, one per 5 s punctuation, so a window of
         * tens of seconds holds one burst more or less than its share and reads ±10% of what was due even when it
         * keeps up. A slower shortfall shows as lag growth, which these bound at 2 s or a quarter of the lag.
         */
        public static Thresholds defaults() {
            return new Thresholds(0.8, 2.0, 0.25, 30.0, 0.5, LearnerConfig.DEFAULT_SAMPLES_PER_INSERT, 0.8);
        }
    }

    private final Thresholds thresholds;

    public Saturation(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** The stages that did not keep up with this step, in loop order; empty when the step was sustainable. */
    public List<Finding> judge(StepFigures f) {
        List<Finding> out = new ArrayList<>();
        double share = thresholds.minThroughputShare();
        if (f.answeredPerSec() < share * f.promptsPerSec()) { // NaN (no actor meters yet): the lag speaks instead
            out.add(new Finding(Stage.ACTOR, fmt("answered %.1f of %.1f prompts/s", f.answeredPerSec(), f.promptsPerSec())));
        } else if (builtUp(f.actorLagFirstP99Seconds(), f.actorLagGrowthSeconds())) {
            out.add(new Finding(Stage.ACTOR, fmt("prompt lag grew by %.1f s across the window", f.actorLagGrowthSeconds())));
        }
        if (!(f.scoredPerSec() >= share * f.transitionsDuePerSec())) {
            out.add(new Finding(Stage.SCORER, fmt("scored %.0f of the %.0f transitions/s due", f.scoredPerSec(), f.transitionsDuePerSec())));
        } else if (builtUp(f.scorerLagFirstP99Seconds(), f.scorerLagGrowthSeconds())) {
            out.add(new Finding(Stage.SCORER, fmt("scorer lag p99 grew by %.1f s across the window", f.scorerLagGrowthSeconds())));
        } else if (f.scorerLagP99Seconds() > thresholds.maxLagSeconds()) {
            out.add(new Finding(Stage.SCORER, fmt("scorer lag p99 %.1f s is over the %.0f s bound", f.scorerLagP99Seconds(),
                    thresholds.maxLagSeconds())));
        } else if (f.keepShareMin() < 1.0) {
            out.add(new Finding(Stage.SCORER, fmt("the actors kept only %.0f%% of episodes for training (scorer lag over the training-backlog bound)",
                    100 * f.keepShareMin())));
        }
        if (f.learnerPausedShare() > thresholds.maxPausedShare()) {
            out.add(new Finding(Stage.LEARNER, fmt("ingest paused (training behind) in %.0f%% of the learner's samples",
                    100 * f.learnerPausedShare())));
        } else if (f.samplesPerInsert() < thresholds.minReplayRatioShare() * thresholds.targetSamplesPerInsert()) {
            out.add(new Finding(Stage.LEARNER, fmt("trained %.2f samples per insert, under %.0f%% of its ratio of %.1f",
                    f.samplesPerInsert(), 100 * thresholds.minReplayRatioShare(), thresholds.targetSamplesPerInsert())));
        }
        return out;
    }

    /** A lag built up when it grew by more than noise, absolutely and relative to where it started. */
    boolean builtUp(double firstThird, double growth) {
        if (Double.isNaN(growth)) {
            return false; // no lag measured at one end of the window: the throughput checks speak instead
        }
        double start = Double.isNaN(firstThird) ? 0 : firstThird;
        return growth > Math.max(thresholds.minLagGrowthSeconds(), thresholds.relativeLagGrowth() * start);
    }

    /**
     * The highest rate whose step kept up, given the steps in the order they ran: a step counts only if every
     * step before it kept up too (a backlog left by a failed step would spoil the next). NaN when none did.
     */
    public static double highestSustainable(List<StepFigures> steps, List<List<Finding>> findings) {
        double best = Double.NaN;
        for (int i = 0; i < steps.size(); i++) {
            if (!findings.get(i).isEmpty()) {
                break;
            }
            best = Double.isNaN(best) ? steps.get(i).rate() : Math.max(best, steps.get(i).rate());
        }
        return best;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
