package dev.qstream.evaluator.ope;

import java.util.List;

/** One complete logged episode, step 0 to its done step, in order. */
public record LoggedEpisode(List<LoggedStep> steps) {

    public LoggedEpisode {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("an episode has at least one step");
        }
    }
}
