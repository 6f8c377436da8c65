package dev.qstream.evaluator.ope;

import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups scored steps into episodes. All steps of an episode are on one partition, in order, so an episode is
 * complete when its steps arrive as 0, 1, ... and the last is done; anything else (its first steps before the
 * range began, its done step after it ended, a gap) is incomplete, counted and left out: an estimator needs every
 * ratio from step 0. Only open episodes are held, and a broken one drops its steps at once.
 */
public final class EpisodeGrouper {

    private static final class Open {
        List<ScoredTransition> steps = new ArrayList<>();
        boolean broken;
    }

    private final Consumer<List<ScoredTransition>> complete;
    private final Map<String, Open> open = new HashMap<>();
    private long incomplete;

    /** @param complete receives each complete episode, steps in order */
    public EpisodeGrouper(Consumer<List<ScoredTransition>> complete) {
        this.complete = complete;
    }

    public void add(ScoredTransition scored) {
        Transition t = scored.getTransition();
        Open episode = open.computeIfAbsent(t.getEpisodeId(), id -> new Open());
        if (!episode.broken) {
            if (t.getStep() < episode.steps.size()) {
                return; // the same step again: keep the first, as the scorer does
            }
            if (t.getStep() == episode.steps.size()) {
                episode.steps.add(scored);
            } else {
                episode.broken = true;
                episode.steps = null;
            }
        }
        if (t.getDone()) {
            open.remove(t.getEpisodeId());
            if (episode.broken) {
                incomplete++;
            } else {
                complete.accept(List.copyOf(episode.steps));
            }
        }
    }

    /** Ends the read: episodes still open never reached their done step inside the range. */
    public void finish() {
        incomplete += open.size();
        open.clear();
    }

    /** Episodes left out because some of their steps were not read. */
    public long incomplete() {
        return incomplete;
    }
}
