package dev.qstream.scorer.stream;

import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.schemas.validation.ValidationLimits;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the scorer topology and its Kafka Streams runtime are configured with, in one place.
 *
 * @param applicationId      Kafka Streams application id (consumer group and internal topic prefix)
 * @param layout             topic names
 * @param reward             how rewards are composed
 * @param feedback           how human feedback is joined (window, grace, aggregation, memory for late feedback)
 * @param episodeTimeout     an episode not complete this long after its first step is dead-lettered; feedback for
 *                           an episode the scorer has not seen waits as long before it is dead-lettered
 * @param feedbackOnlyWithoutReferences score prompts without references from feedback only (true) or
 *                           dead-letter them (false)
 * @param limits             validation limits for incoming records
 * @param punctuateEvery     how often the wall-clock punctuators look for timed-out episodes and closed windows
 * @param stateDir           RocksDB state directory
 * @param standbyReplicas    standby replicas of the state stores
 * @param commitInterval     Kafka Streams commit interval (the EOS transaction length)
 */
public record ScorerConfig(String applicationId, TopicLayout layout, RewardConfig reward, FeedbackConfig feedback,
                           Duration episodeTimeout, boolean feedbackOnlyWithoutReferences, ValidationLimits limits,
                           Duration punctuateEvery, Path stateDir, int standbyReplicas, Duration commitInterval) {

    public ScorerConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(reward, "reward");
        Objects.requireNonNull(feedback, "feedback");
        Objects.requireNonNull(limits, "limits");
        if (episodeTimeout.isNegative() || episodeTimeout.isZero() || punctuateEvery.isNegative() || punctuateEvery.isZero()
                || standbyReplicas < 0 || commitInterval.isNegative()) {
            throw new IllegalArgumentException("invalid scorer settings: " + this);
        }
    }

    public static ScorerConfig defaults(TopicLayout layout, Path stateDir) {
        return new ScorerConfig(layout.prefix() + "-scorer", layout, RewardConfig.defaults(), FeedbackConfig.defaults(),
                Duration.ofMinutes(5), true, ValidationLimits.defaults(), Duration.ofSeconds(5), stateDir, 0,
                Duration.ofMillis(100));
    }

    /** Whether an episode of a prompt with (true) or without (false) references waits for its feedback window. */
    public boolean waitsForFeedback(boolean hasReferences) {
        return !hasReferences || reward.humanWeight() != 0;
    }

    public ScorerConfig withReward(RewardConfig r) {
        return new ScorerConfig(applicationId, layout, r, feedback, episodeTimeout, feedbackOnlyWithoutReferences, limits,
                punctuateEvery, stateDir, standbyReplicas, commitInterval);
    }

    public ScorerConfig withFeedback(FeedbackConfig f) {
        return new ScorerConfig(applicationId, layout, reward, f, episodeTimeout, feedbackOnlyWithoutReferences, limits,
                punctuateEvery, stateDir, standbyReplicas, commitInterval);
    }

    public ScorerConfig withEpisodeTimeout(Duration timeout) {
        return new ScorerConfig(applicationId, layout, reward, feedback, timeout, feedbackOnlyWithoutReferences, limits,
                punctuateEvery, stateDir, standbyReplicas, commitInterval);
    }

    public ScorerConfig withApplicationId(String id) {
        return new ScorerConfig(id, layout, reward, feedback, episodeTimeout, feedbackOnlyWithoutReferences, limits,
                punctuateEvery, stateDir, standbyReplicas, commitInterval);
    }

    public ScorerConfig withFeedbackOnlyWithoutReferences(boolean feedbackOnly) {
        return new ScorerConfig(applicationId, layout, reward, feedback, episodeTimeout, feedbackOnly, limits,
                punctuateEvery, stateDir, standbyReplicas, commitInterval);
    }

    public ScorerConfig withPunctuateEvery(Duration every) {
        return new ScorerConfig(applicationId, layout, reward, feedback, episodeTimeout, feedbackOnlyWithoutReferences, limits,
                every, stateDir, standbyReplicas, commitInterval);
    }

    public ScorerConfig withStandbyReplicas(int replicas) {
        return new ScorerConfig(applicationId, layout, reward, feedback, episodeTimeout, feedbackOnlyWithoutReferences, limits,
                punctuateEvery, stateDir, replicas, commitInterval);
    }

    public ScorerConfig withCommitInterval(Duration interval) {
        return new ScorerConfig(applicationId, layout, reward, feedback, episodeTimeout, feedbackOnlyWithoutReferences, limits,
                punctuateEvery, stateDir, standbyReplicas, interval);
    }
}
