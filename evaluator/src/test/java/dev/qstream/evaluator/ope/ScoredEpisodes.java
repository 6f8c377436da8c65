package dev.qstream.evaluator.ope;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds the scored steps of one logged episode, as the actor and the scorer would have written them. */
public final class ScoredEpisodes {

    private ScoredEpisodes() {
    }

    /**
     * @param mask     every step's valid actions (null = every action)
     * @param actions  a_0 … a_T
     * @param mu       μ(a_t|s_t) of each step
     * @param rewards  r_0 … r_T
     */
    public static List<ScoredTransition> episode(UUID id, long policyVersion, ExplorationStrategy exploration,
                                                 List<Integer> prompt, List<Integer> mask, int[] actions, double[] mu,
                                                 double[] rewards, long createdAt) {
        List<ScoredTransition> out = new ArrayList<>();
        List<Integer> prefix = new ArrayList<>();
        double total = 0;
        for (double r : rewards) {
            total += r;
        }
        for (int t = 0; t < actions.length; t++) {
            boolean done = t == actions.length - 1;
            Transition tr = Transition.newBuilder().setEpisodeId(id.toString()).setPromptId("p-" + id).setActorId("actor-1")
                    .setStep(t).setPromptTokens(prompt).setPrefixTokens(List.copyOf(prefix)).setAction(actions[t])
                    .setActionToken("w" + actions[t]).setValidActions(mask).setDone(done)
                    .setEndReason(done ? EndReason.END_OF_SEQUENCE : null).setPolicyVersion(policyVersion)
                    .setBehaviourProbability(mu[t]).setExploration(exploration).setCreatedAt(createdAt).build();
            out.add(ScoredTransition.newBuilder().setTransition(tr).setReward(rewards[t]).setEpisodeReward(total)
                    .setNextValidActions(done ? null : mask)
                    .setParts(RewardParts.newBuilder().setMetricName("rougeL_f").setMetric(total).build())
                    .setScoredAt(createdAt).build());
            prefix.add(actions[t]);
        }
        return out;
    }
}
