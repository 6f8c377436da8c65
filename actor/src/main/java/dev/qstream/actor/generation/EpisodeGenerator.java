package dev.qstream.actor.generation;

import dev.qstream.actor.experience.Adder;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.actor.model.VariableClient;
import dev.qstream.policy.state.SparseState;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates one episode token by token (Acme's Actor role): each step takes the current policy once, encodes the
 * state with that policy's encoder, computes Q only for the valid actions, picks one by the episode's exploration and hands the transition to
 * the {@link Adder}. The episode ends on end-of-sequence, at the token limit, or at the prompt's deadline.
 */
public final class EpisodeGenerator {

    private final String actorId;
    private final Vocabulary vocabulary;
    private final Tokenizer tokenizer;
    private final ActionMasker masker;
    private final VariableClient variables;
    private final int maxPromptTokens;
    private final Clock clock;

    public EpisodeGenerator(String actorId, Vocabulary vocabulary, Tokenizer tokenizer, ActionMasker masker, VariableClient variables, int maxPromptTokens, Clock clock) {
        this.actorId = actorId;
        this.vocabulary = vocabulary;
        this.tokenizer = tokenizer;
        this.masker = masker;
        this.variables = variables;
        this.maxPromptTokens = maxPromptTokens;
        this.clock = clock;
    }

    /** Prompt text → token ids (unknown words become {@code <unk>}), truncated to the prompt limit. */
    public int[] promptTokens(String promptText) {
        List<String> tokens = tokenizer.tokenize(promptText);
        int[] ids = vocabulary.encode(tokens.size() > maxPromptTokens ? tokens.subList(0, maxPromptTokens) : tokens);
        return ids;
    }

    /**
     * @param adder where transitions go; null for evaluation episodes, which must not become training data
     */
    public GenerationResult generate(String promptId, String promptText, Instant deadline, Exploration exploration,
                                     int maxTokens, SplittableRandom random, Adder adder) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
        UUID episodeId = UUID.randomUUID();
        int[] prompt = promptTokens(promptText);
        List<Integer> promptList = boxed(prompt, prompt.length);
        int[] prefix = new int[maxTokens];
        List<String> words = new ArrayList<>();
        float[] q = null;
        float[] h = null;
        long firstVersion = -1;
        long version = -1;
        EndReason end = null;
        for (int step = 0; end == null; step++) {
            long started = System.nanoTime();
            ServingPolicy policy = variables.current(); // one version per step: swaps happen between steps
            version = policy.version();
            if (firstVersion < 0) {
                firstVersion = version;
            }
            if (h == null || h.length != policy.q().hiddenSize()) {
                h = new float[policy.q().hiddenSize()];
            }
            SparseState state = policy.encoder().encode(prompt, prefix, step);
            policy.q().hidden(state, h);
            int[] valid = masker.validActions(prompt, prefix, step);
            if (q == null || q.length < valid.length) {
                q = new float[Math.max(valid.length, 64)];
            }
            policy.q().q(h, valid, q);
            ActionSelector.Choice choice = ActionSelector.choose(q, valid.length, exploration, random);
            int action = valid[choice.index()];
            prefix[step] = action;
            long decisionMicros = (System.nanoTime() - started) / 1_000;

            if (action == Vocabulary.EOS_ID) {
                end = EndReason.END_OF_SEQUENCE;
            } else if (step + 1 >= maxTokens) {
                end = EndReason.MAX_TOKENS;
            } else if (deadline != null && clock.instant().isAfter(deadline)) {
                end = EndReason.DEADLINE;
            }
            String word = action == Vocabulary.EOS_ID ? "" : vocabulary.token(action);
            if (!word.isEmpty()) {
                words.add(word);
            }
            if (adder != null) {
                adder.add(Transition.newBuilder()
                        .setEpisodeId(episodeId.toString())
                        .setPromptId(promptId)
                        .setActorId(actorId)
                        .setStep(step)
                        .setPromptTokens(promptList)
                        .setPrefixTokens(boxed(prefix, step))
                        .setAction(action)
                        .setActionToken(word)
                        .setValidActions(masker.mode() == ActionMasker.Mode.ALL ? null : boxed(valid, valid.length))
                        .setDone(end != null)
                        .setEndReason(end)
                        .setPolicyVersion(version)
                        .setBehaviourProbability(choice.probability())
                        .setExploration(exploration.strategy())
                        .setDecisionMicros(decisionMicros)
                        .setCreatedAt(clock.millis())
                        .build());
            }
        }
        String text = tokenizer.detokenize(words);
        if (adder != null) {
            adder.episodeEnded(Episode.newBuilder()
                    .setEpisodeId(episodeId)
                    .setPromptId(promptId)
                    .setActorId(actorId)
                    .setPrompt(promptText)
                    .setText(text)
                    .setTokenCount(words.size() + (end == EndReason.END_OF_SEQUENCE ? 1 : 0))
                    .setPolicyVersion(firstVersion)
                    .setExploration(exploration.strategy())
                    .setEndReason(end)
                    .setScores(null)
                    .setCreatedAt(clock.instant())
                    .build());
        }
        return new GenerationResult(episodeId, text, List.copyOf(words), firstVersion, version, end);
    }

    private static List<Integer> boxed(int[] ids, int n) {
        return Arrays.stream(ids, 0, n).boxed().toList();
    }
}
