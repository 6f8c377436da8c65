package dev.qstream.scorer.feedback;

import dev.qstream.schemas.avro.Feedback;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How several feedback events about one episode become one human value in [-1, 1]. Events are first put in a fixed
 * order (given time, then feedback id), so the result never depends on the order in which they arrived.
 */
public enum FeedbackAggregation {
    /** The value of the event given first. */
    EARLIEST,
    /** The value of the event given last (a user who changed their mind). */
    LATEST,
    /** The arithmetic mean (several raters). */
    MEAN,
    /** The most negative value (one complaint is enough). */
    MIN,
    /** The most positive value. */
    MAX,
    /** The sum, clipped to [-1, 1] so the human term stays on the scale its weight was chosen for. */
    SUM;

    /** Given time, then feedback id: a total order, the same on every replica and after every restart. */
    public static final Comparator<Feedback> GIVEN_ORDER = Comparator
            .comparing(Feedback::getCreatedAt)
            .thenComparing(f -> f.getFeedbackId().toString());

    /** The aggregated value, or null when there is no event. */
    public Double aggregate(List<Feedback> events) {
        if (events.isEmpty()) {
            return null;
        }
        List<Feedback> ordered = new ArrayList<>(events);
        ordered.sort(GIVEN_ORDER);
        return switch (this) {
            case EARLIEST -> ordered.get(0).getValue();
            case LATEST -> ordered.get(ordered.size() - 1).getValue();
            case MEAN -> sum(ordered) / ordered.size();
            case MIN -> ordered.stream().mapToDouble(Feedback::getValue).min().orElseThrow();
            case MAX -> ordered.stream().mapToDouble(Feedback::getValue).max().orElseThrow();
            case SUM -> Math.max(-1.0, Math.min(1.0, sum(ordered)));
        };
    }

    private static double sum(List<Feedback> ordered) {
        double s = 0;
        for (Feedback f : ordered) {
            s += f.getValue();
        }
        return s;
    }
}
