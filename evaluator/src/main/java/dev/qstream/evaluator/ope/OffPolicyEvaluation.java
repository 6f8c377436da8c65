package dev.qstream.evaluator.ope;

import dev.qstream.runtime.kafka.KafkaSettings;

import java.time.Duration;

/**
 * Off-policy evaluation end to end: read the scored topic over a range, judge every complete episode's steps with
 * the candidate, and estimate. The candidate's model is loaded by the caller (the launcher reads it from the model
 * topic, verified as the actors verify it).
 */
public final class OffPolicyEvaluation {

    private OffPolicyEvaluation() {
    }

    public static OffPolicyReport run(KafkaSettings kafka, EpsilonGreedyCandidate candidate, EstimatorSettings settings,
                                      TimeRange range, Duration timeout) {
        OffPolicyTally tally = new OffPolicyTally(candidate, settings);
        ScoredEpisodeReader.ReadCounts counts = ScoredEpisodeReader.read(kafka, "qstream-ope", range, timeout, tally::accept);
        return OffPolicyReport.of(tally, counts, range);
    }
}
