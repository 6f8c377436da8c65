package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredStep;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.scorer.reward.ComposedReward;
import dev.qstream.scorer.reward.RewardComposer;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Scores a whole episode with a given human value and emits it: one {@link ScoredEpisode} (every step's action,
 * mask and reward; the prompt tokens and reward parts once) and a scored {@link Episode} summary.
 */
final class EpisodeEmitter {

    private final RewardComposer composer;
    private final PreparedReferences prepared;
    private final ScorerMetrics metrics;
    private final ProcessorContext<String, SpecificRecordBase> context;

    EpisodeEmitter(RewardComposer composer, PreparedReferences prepared, ScorerMetrics metrics,
                   ProcessorContext<String, SpecificRecordBase> context) {
        this.composer = composer;
        this.prepared = prepared;
        this.metrics = metrics;
        this.context = context;
    }

    /**
     * @param human aggregated feedback, or null for the default
     * @return what the scorer remembers of the episode for late feedback: its last scored step, token lists
     *         emptied (the step index and the reward parts are what a correction needs)
     */
    ScoredTransition emit(String key, EpisodeAssembly episode, Prompt prompt, Double human, long timestamp) {
        List<Transition> steps = episode.getSteps();
        List<String> tokens = new ArrayList<>(steps.size());
        for (Transition s : steps) {
            tokens.add(s.getActionToken());
        }
        ComposedReward reward = composer.compose(tokens, prepared.of(prompt), human);
        long now = context.currentSystemTimeMs();
        List<ScoredStep> scoredSteps = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            scoredSteps.add(ScoredEpisodeSteps.step(steps.get(i), reward.stepRewards()[i]));
        }
        Transition head = steps.get(0);
        // One record per episode: a step's prefix is the actions before it, so nothing per step is repeated.
        ScoredEpisode scored = new ScoredEpisode(head.getEpisodeId(), head.getPromptId(), head.getActorId(),
                head.getPromptTokens(), scoredSteps, steps.get(steps.size() - 1).getEndReason(),
                reward.episodeReward(), reward.parts(), now);
        context.forward(new Record<>(key, (SpecificRecordBase) scored, timestamp), ScorerTopology.SCORED_SINK);
        Transition first = steps.get(0);
        Transition last = steps.get(steps.size() - 1);
        Episode summary = Episode.newBuilder()
                .setEpisodeId(UUID.fromString(first.getEpisodeId()))
                .setPromptId(first.getPromptId())
                .setActorId(first.getActorId())
                .setPrompt(prompt.getText())
                .setText(String.join(" ", tokens.stream().filter(w -> !w.isEmpty()).toList()))
                .setTokenCount(steps.size())
                .setPolicyVersion(first.getPolicyVersion())
                .setExploration(first.getExploration())
                .setEndReason(last.getEndReason() == null ? EndReason.UNKNOWN : last.getEndReason())
                .setScores(reward.scores())
                .setCreatedAt(Instant.ofEpochMilli(now))
                .build();
        context.forward(new Record<>(key, (SpecificRecordBase) summary, timestamp), ScorerTopology.GENERATIONS_SINK);
        metrics.episodeScored(first.getPolicyVersion(), reward.episodeReward(), steps.size(),
                reward.parts().getHumanDefaulted());
        // Token lists emptied: a correction needs the step index and the parts, not 24 h of token ids.
        Transition slim = new Transition(last.getEpisodeId(), last.getPromptId(), last.getActorId(), last.getStep(),
                List.of(), List.of(), last.getAction(), last.getActionToken(), null, last.getDone(), last.getEndReason(),
                last.getPolicyVersion(), last.getBehaviourProbability(), last.getExploration(), last.getDecisionMicros(),
                last.getCreatedAt());
        RewardParts parts = RewardParts.newBuilder(reward.parts()).build(); // its own copy: corrections update it
        return new ScoredTransition(slim, reward.stepRewards()[steps.size() - 1], reward.episodeReward(), null, parts, now);
    }

}
