package dev.qstream.evaluator.ope;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.List;

/**
 * The complete logged episodes, each step judged by the candidate as it arrives (so only five numbers a step are
 * kept, not the tokens). Demonstrations are left out and counted: their steps were teacher-forced from a reference,
 * not chosen by a policy, so their "behaviour probability" of 1 is no probability of the behaviour policy. Episodes
 * whose every step the candidate version itself chose are also kept apart: their plain mean return is the on-policy
 * check on the off-policy estimates.
 */
public final class LoggedEpisodes {

    private final EpsilonGreedyCandidate candidate;
    private final List<LoggedEpisode> all = new ArrayList<>();
    private final List<LoggedEpisode> servedByCandidate = new ArrayList<>();
    private long demonstrations;

    public LoggedEpisodes(EpsilonGreedyCandidate candidate) {
        this.candidate = candidate;
    }

    /** One complete episode, steps 0..done in order. */
    public void accept(List<ScoredTransition> episode) {
        List<LoggedStep> steps = new ArrayList<>(episode.size());
        boolean served = true;
        for (ScoredTransition scored : episode) {
            Transition t = scored.getTransition();
            if (t.getExploration() == ExplorationStrategy.DEMONSTRATION) {
                demonstrations++;
                return;
            }
            served &= t.getPolicyVersion() == candidate.version();
            steps.add(candidate.judge(t, scored.getReward()));
        }
        LoggedEpisode logged = new LoggedEpisode(steps);
        all.add(logged);
        if (served) {
            servedByCandidate.add(logged);
        }
    }

    public List<LoggedEpisode> all() {
        return all;
    }

    public List<LoggedEpisode> servedByCandidate() {
        return servedByCandidate;
    }

    public long demonstrations() {
        return demonstrations;
    }

    public EpsilonGreedyCandidate candidate() {
        return candidate;
    }
}
