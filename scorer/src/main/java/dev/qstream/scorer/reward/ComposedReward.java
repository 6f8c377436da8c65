package dev.qstream.scorer.reward;

import dev.qstream.schemas.avro.EpisodeScores;
import dev.qstream.schemas.avro.RewardParts;

/**
 * An episode's reward: per-step rewards (summing to the episode reward), the parts it was composed of, and the
 * scores for the generation summary.
 */
public record ComposedReward(double[] stepRewards, double episodeReward, RewardParts parts, EpisodeScores scores) {
}
