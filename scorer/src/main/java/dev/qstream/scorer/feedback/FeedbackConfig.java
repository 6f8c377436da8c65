package dev.qstream.scorer.feedback;

import java.time.Duration;
import java.util.Objects;

/**
 * How the scorer joins human feedback to episodes.
 *
 * @param window              feedback given (its {@code createdAt}) less than this long after the episode's done step
 *                            is part of the episode's reward
 * @param grace               how much longer the scorer waits, on its own clock, for feedback given inside the window
 *                            but delivered late; the window closes {@code window + grace} after the episode completed
 *                            in the scorer
 * @param aggregation         how several events of one episode become one value
 * @param emitOnFirstFeedback close the window as soon as one event inside it arrives, instead of at its end
 * @param retention           how long a scored episode is remembered for late feedback (which then becomes a
 *                            {@code RewardCorrection}); after that its late feedback is dead-lettered
 */
public record FeedbackConfig(Duration window, Duration grace, FeedbackAggregation aggregation,
                             boolean emitOnFirstFeedback, Duration retention) {

    public FeedbackConfig {
        Objects.requireNonNull(aggregation, "aggregation");
        if (window.isNegative() || window.isZero() || grace.isNegative() || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("feedback window and retention must be > 0 and grace >= 0: " + window
                    + ", " + grace + ", " + retention);
        }
    }

    /** 10 min window, 1 min grace, the mean of the events, emitted at the window's end, remembered 24 h. */
    public static FeedbackConfig defaults() {
        return new FeedbackConfig(Duration.ofMinutes(10), Duration.ofMinutes(1), FeedbackAggregation.MEAN, false,
                Duration.ofHours(24));
    }

    /** How long after an episode completes in the scorer its window closes. */
    public Duration hold() {
        return window.plus(grace);
    }

    public FeedbackConfig withWindow(Duration w) {
        return new FeedbackConfig(w, grace, aggregation, emitOnFirstFeedback, retention);
    }

    public FeedbackConfig withGrace(Duration g) {
        return new FeedbackConfig(window, g, aggregation, emitOnFirstFeedback, retention);
    }

    public FeedbackConfig withAggregation(FeedbackAggregation a) {
        return new FeedbackConfig(window, grace, a, emitOnFirstFeedback, retention);
    }

    public FeedbackConfig withEmitOnFirstFeedback(boolean emitOnFirst) {
        return new FeedbackConfig(window, grace, aggregation, emitOnFirst, retention);
    }

    public FeedbackConfig withRetention(Duration r) {
        return new FeedbackConfig(window, grace, aggregation, emitOnFirstFeedback, r);
    }
}
