package dev.qstream.learner.replay;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Builds the scored steps of one episode, as the scorer would emit them. */
public final class ScoredSteps {

    private ScoredSteps() {
    }

    /**
     * @param actions  a_0 … a_T
     * @param rewards  r_0 … r_T
     * @param masks    valid actions of each step (null entries = all)
     */
    public static List<ScoredTransition> episode(UUID id, int[] prompt, int[] actions, double[] rewards, List<List<Integer>> masks) {
        List<ScoredTransition> out = new ArrayList<>();
        List<Integer> promptList = Arrays.stream(prompt).boxed().toList();
        for (int t = 0; t < actions.length; t++) {
            List<Integer> prefix = new ArrayList<>();
            for (int k = 0; k < t; k++) {
                prefix.add(actions[k]);
            }
            boolean done = t == actions.length - 1;
            Transition tr = Transition.newBuilder().setEpisodeId(id.toString()).setPromptId("p").setActorId("a")
                    .setStep(t).setPromptTokens(promptList).setPrefixTokens(prefix).setAction(actions[t])
                    .setActionToken("w" + actions[t]).setValidActions(masks == null ? null : masks.get(t)).setDone(done)
                    .setEndReason(null).setPolicyVersion(0).setBehaviourProbability(1.0)
                    .setExploration(ExplorationStrategy.GREEDY).setCreatedAt(0L).build();
            out.add(ScoredTransition.newBuilder().setTransition(tr).setReward(rewards[t]).setEpisodeReward(0)
                    .setNextValidActions(done || masks == null ? null : masks.get(t + 1))
                    .setParts(RewardParts.newBuilder().setMetricName("m").setMetric(0).build()).setScoredAt(0L).build());
        }
        return out;
    }
}
