package dev.qstream.evaluator.ope;

import java.util.Optional;

/**
 * What {@code qstream ope} answers: how the logged (behaviour) policy did on the episodes, and how the candidate
 * would have done by PDIS and DR, each with its 95% interval and effective sample size; how many steps' ratios the
 * clip cut; and, when the candidate served some of the episodes itself, its plain mean return there as a check.
 *
 * @param episodesUsed        complete, non-demonstration episodes the estimates are over
 * @param incompleteEpisodes  episodes left out because some steps fell outside the range
 * @param demonstrations      teacher-forced episodes left out
 * @param badRecords          records that did not decode or were invalid, left out
 * @param clipRate            share of the used steps whose ratio π/μ was above the clip
 * @param candidateOnPolicy   the candidate's on-policy mean return over the episodes it chose every step of
 */
public record OffPolicyReport(long candidateVersion, double epsilon, EstimatorSettings settings, TimeRange range,
                              int episodesUsed, long incompleteEpisodes, long demonstrations, long badRecords,
                              Estimate behaviour, Estimate perDecisionIs, Estimate doublyRobust, double clipRate,
                              Optional<Estimate> candidateOnPolicy) {

    /**
     * @throws IllegalStateException when there is no complete episode to estimate from
     */
    public static OffPolicyReport of(OffPolicyTally tally, ScoredEpisodeReader.ReadCounts counts, TimeRange range) {
        if (tally.episodes() == 0) {
            throw new IllegalStateException("no complete policy episode on the scored topic in " + range + " ("
                    + counts.records() + " records read, " + counts.incompleteEpisodes() + " incomplete episodes, "
                    + tally.demonstrations() + " demonstrations, " + counts.badRecords() + " bad records)");
        }
        RunningEstimate served = tally.servedByCandidate();
        return new OffPolicyReport(tally.candidate().version(), tally.candidate().epsilon(), tally.settings(), range,
                tally.episodes(), counts.incompleteEpisodes(), tally.demonstrations(), counts.badRecords(),
                tally.behaviour().estimate(), tally.perDecisionIs().estimate(), tally.doublyRobust().estimate(),
                tally.clipRate(), served.episodes() == 0 ? Optional.empty() : Optional.of(served.estimate()));
    }
}
