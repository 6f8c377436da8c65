package dev.qstream.schemas.scored;

import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredStep;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The two views of a scored episode: the {@link ScoredEpisode} the scorer writes on {@code qstream.scored} (each
 * thing once) and the {@link ScoredTransition}s per step that consumers learn from (what the topic carried before,
 * one record per step). {@link #expand} and {@link #pack} are inverse: a step's prefix is the actions before it,
 * its next mask the next step's mask, and only the last step is done.
 */
public final class ScoredEpisodeSteps {

    private ScoredEpisodeSteps() {
    }

    /** The episode's steps as scored transitions, step 0 first (the prefixes share one read-only list). */
    public static List<ScoredTransition> expand(ScoredEpisode episode) {
        List<ScoredStep> steps = episode.getSteps();
        int n = steps.size();
        List<Integer> actions = new ArrayList<>(n);
        for (ScoredStep s : steps) {
            actions.add(s.getAction());
        }
        List<Integer> prefixes = Collections.unmodifiableList(actions);
        List<Integer> prompt = Collections.unmodifiableList(episode.getPromptTokens());
        List<ScoredTransition> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ScoredStep s = steps.get(i);
            boolean done = i == n - 1;
            Transition t = new Transition(episode.getEpisodeId(), episode.getPromptId(), episode.getActorId(), i,
                    prompt, prefixes.subList(0, i), s.getAction(), s.getActionToken(), s.getValidActions(), done,
                    done ? episode.getEndReason() : null, s.getPolicyVersion(), s.getBehaviourProbability(),
                    s.getExploration(), s.getDecisionMicros(), s.getCreatedAt());
            out.add(new ScoredTransition(t, s.getReward(), episode.getEpisodeReward(),
                    done ? null : steps.get(i + 1).getValidActions(), episode.getParts(), episode.getScoredAt()));
        }
        return out;
    }

    /**
     * One episode's scored transitions, steps 0 … n−1 in order with only the last one done, as one record.
     *
     * @throws IllegalArgumentException when they are not one whole, consistent episode (the message says what)
     */
    public static ScoredEpisode pack(List<ScoredTransition> scored) {
        if (scored.isEmpty()) {
            throw new IllegalArgumentException("an episode has at least one step");
        }
        Transition first = scored.get(0).getTransition();
        ScoredTransition lastScored = scored.get(scored.size() - 1);
        List<ScoredStep> steps = new ArrayList<>(scored.size());
        for (int i = 0; i < scored.size(); i++) {
            ScoredTransition s = scored.get(i);
            Transition t = s.getTransition();
            String where = "step " + i + " of episode " + first.getEpisodeId();
            require(t.getStep() == i, where + " says it is step " + t.getStep());
            require(t.getEpisodeId().equals(first.getEpisodeId()) && t.getPromptId().equals(first.getPromptId())
                    && t.getActorId().equals(first.getActorId()), where + " names another episode, prompt or actor");
            require(t.getPromptTokens().equals(first.getPromptTokens()), where + " carries other prompt tokens");
            require(t.getDone() == (i == scored.size() - 1), where + (t.getDone() ? " is done before the last step"
                    : " is the last one given but not done"));
            require(t.getPrefixTokens().size() == i, where + " has " + t.getPrefixTokens().size() + " prefix tokens");
            for (int j = 0; j < i; j++) {
                require(Objects.equals(t.getPrefixTokens().get(j), scored.get(j).getTransition().getAction()),
                        where + ": its prefix disagrees with the action of step " + j);
            }
            require(Objects.equals(s.getNextValidActions(),
                            i + 1 < scored.size() ? scored.get(i + 1).getTransition().getValidActions() : null),
                    where + ": its next mask is not the next step's mask");
            steps.add(step(t, s.getReward()));
        }
        return new ScoredEpisode(first.getEpisodeId(), first.getPromptId(), first.getActorId(), first.getPromptTokens(),
                steps, lastScored.getTransition().getEndReason(), lastScored.getEpisodeReward(), lastScored.getParts(),
                lastScored.getScoredAt());
    }

    /** What a scored episode keeps of one of its transitions, with its reward. */
    public static ScoredStep step(Transition t, double reward) {
        return new ScoredStep(t.getAction(), t.getActionToken(), t.getValidActions(), reward, t.getPolicyVersion(),
                t.getBehaviourProbability(), t.getExploration(), t.getDecisionMicros(), t.getCreatedAt());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
