package dev.qstream.actor.experience;

import dev.qstream.runtime.http.RecentEpisodes;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link Adder} in front of another that emits an episode's transitions only when the {@link TrainingBacklog}
 * keeps it (decided at step 0, so an episode goes out whole or not at all). The episode's summary always goes out,
 * since it is how a topic prompt's answer is served, marked {@code keptForTraining = false} when its transitions
 * were held back, so raters and the dashboard do not ask for feedback nothing could learn from.
 */
public final class SamplingAdder implements Adder {

    /** Sampled-out episodes remembered for feedback checks; older ones are forgotten first. */
    private static final int REMEMBERED = 100_000;

    private final Adder next;
    private final TrainingBacklog backlog;
    private final Set<String> heldBack = ConcurrentHashMap.newKeySet();
    private final RecentEpisodes recentlyHeldBack = new RecentEpisodes(REMEMBERED);
    private final Counter sampledOut;
    private final Counter kept;

    public SamplingAdder(Adder next, TrainingBacklog backlog, MeterRegistry registry) {
        this.next = next;
        this.backlog = backlog;
        this.sampledOut = Counter.builder("actor.training.sampled.out")
                .description("episodes served but not emitted for training (training backlog over its bound)").register(registry);
        this.kept = Counter.builder("actor.training.kept").description("episodes emitted for training").register(registry);
    }

    @Override
    public void add(Transition transition) {
        String episode = transition.getEpisodeId();
        if (transition.getStep() == 0 && !backlog.keeps(episode)) {
            heldBack.add(episode);
        }
        if (!heldBack.contains(episode)) {
            next.add(transition);
        }
    }

    @Override
    public void episodeEnded(Episode episode) {
        if (heldBack.remove(episode.getEpisodeId().toString())) {
            episode.setKeptForTraining(false);
            recentlyHeldBack.remember(episode.getEpisodeId(), ""); // only the id matters here
            sampledOut.increment();
        } else {
            kept.increment();
        }
        next.episodeEnded(episode);
    }

    /** True when this actor served the episode recently without emitting it for training. */
    public boolean heldBack(UUID episodeId) {
        return recentlyHeldBack.text(episodeId) != null;
    }

    @Override
    public void flush() {
        next.flush();
    }
}
