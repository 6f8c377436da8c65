package dev.qstream.actor.experience;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Adder} that keeps what it is given in memory: for the one-process reference loop, benchmarks and tests,
 * where the actor's output is read back directly instead of through the transitions topic.
 */
public final class CollectingAdder implements Adder {

    private final List<Transition> transitions = new ArrayList<>();
    private final List<Episode> episodes = new ArrayList<>();

    @Override
    public void add(Transition transition) {
        transitions.add(transition);
    }

    @Override
    public void episodeEnded(Episode episode) {
        episodes.add(episode);
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    /** The steps added so far, in order. */
    public List<Transition> transitions() {
        return transitions;
    }

    /** The episode summaries added so far. */
    public List<Episode> episodes() {
        return episodes;
    }
}
