package dev.qstream.evaluator.ope;

import java.util.List;
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
    public static OffPolicyReport of(LoggedEpisodes episodes, ScoredEpisodeReader.ReadCounts counts,
                                     EstimatorSettings settings, TimeRange range) {
        List<LoggedEpisode> all = episodes.all();
        if (all.isEmpty()) {
            throw new IllegalStateException("no complete policy episode on the scored topic in " + range + " ("
                    + counts.records() + " records read, " + counts.incompleteEpisodes() + " incomplete episodes, "
                    + episodes.demonstrations() + " demonstrations, " + counts.badRecords() + " bad records)");
        }
        BehaviourReturn behaviour = new BehaviourReturn(settings);
        return new OffPolicyReport(episodes.candidate().version(), episodes.candidate().epsilon(), settings, range,
                all.size(), counts.incompleteEpisodes(), episodes.demonstrations(), counts.badRecords(),
                behaviour.estimate(all), new PerDecisionImportanceSampling(settings).estimate(all),
                new DoublyRobust(settings).estimate(all), clipRate(all, settings),
                episodes.servedByCandidate().isEmpty() ? Optional.empty()
                        : Optional.of(behaviour.estimate(episodes.servedByCandidate())));
    }

    private static double clipRate(List<LoggedEpisode> episodes, EstimatorSettings settings) {
        long steps = 0;
        long clipped = 0;
        for (LoggedEpisode e : episodes) {
            for (LoggedStep s : e.steps()) {
                steps++;
                clipped += settings.clips(s) ? 1 : 0;
            }
        }
        return (double) clipped / steps;
    }
}
