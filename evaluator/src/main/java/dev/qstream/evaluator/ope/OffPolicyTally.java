package dev.qstream.evaluator.ope;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.List;

/**
 * Every estimate's running sums over the complete logged episodes seen so far. Each episode's steps are judged by
 * the candidate as it arrives and added to the behaviour, PDIS and DR estimates, then dropped, so memory does not
 * grow with the range. Demonstrations are left out and counted: their steps were teacher-forced from a reference,
 * not chosen by a policy, so their "behaviour probability" of 1 is no probability of the behaviour policy. Episodes
 * whose every step the candidate version itself chose also go to a separate on-policy mean: the check on the
 * off-policy estimates.
 */
public final class OffPolicyTally {

    private final EpsilonGreedyCandidate candidate;
    private final EstimatorSettings settings;
    private final BehaviourReturn behaviourReturn;
    private final PerDecisionImportanceSampling pdis;
    private final DoublyRobust doublyRobust;
    private final RunningEstimate behaviour = new RunningEstimate();
    private final RunningEstimate perDecisionIs = new RunningEstimate();
    private final RunningEstimate dr = new RunningEstimate();
    private final RunningEstimate servedByCandidate = new RunningEstimate();
    private long steps;
    private long clippedSteps;
    private long demonstrations;

    public OffPolicyTally(EpsilonGreedyCandidate candidate, EstimatorSettings settings) {
        this.candidate = candidate;
        this.settings = settings;
        this.behaviourReturn = new BehaviourReturn(settings);
        this.pdis = new PerDecisionImportanceSampling(settings);
        this.doublyRobust = new DoublyRobust(settings);
    }

    /** One complete episode, steps 0..done in order. */
    public void accept(List<ScoredTransition> episode) {
        List<LoggedStep> judged = new ArrayList<>(episode.size());
        boolean served = true;
        for (ScoredTransition scored : episode) {
            Transition t = scored.getTransition();
            if (t.getExploration() == ExplorationStrategy.DEMONSTRATION) {
                demonstrations++;
                return;
            }
            served &= t.getPolicyVersion() == candidate.version();
            judged.add(candidate.judge(t, scored.getReward()));
        }
        LoggedEpisode logged = new LoggedEpisode(judged);
        behaviourReturn.addTo(behaviour, logged);
        pdis.addTo(perDecisionIs, logged);
        doublyRobust.addTo(dr, logged);
        if (served) {
            behaviourReturn.addTo(servedByCandidate, logged);
        }
        for (LoggedStep step : judged) {
            steps++;
            clippedSteps += settings.clips(step) ? 1 : 0;
        }
    }

    public EpsilonGreedyCandidate candidate() {
        return candidate;
    }

    public EstimatorSettings settings() {
        return settings;
    }

    /** Complete policy episodes counted so far. */
    public int episodes() {
        return behaviour.episodes();
    }

    public long demonstrations() {
        return demonstrations;
    }

    public RunningEstimate behaviour() {
        return behaviour;
    }

    public RunningEstimate perDecisionIs() {
        return perDecisionIs;
    }

    public RunningEstimate doublyRobust() {
        return dr;
    }

    public RunningEstimate servedByCandidate() {
        return servedByCandidate;
    }

    /** Share of the counted steps whose ratio π/μ was above the clip. */
    public double clipRate() {
        return steps == 0 ? 0 : (double) clippedSteps / steps;
    }
}
