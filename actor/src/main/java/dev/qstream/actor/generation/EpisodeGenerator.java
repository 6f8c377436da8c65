package dev.qstream.actor.generation;

import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.Decision;
import dev.qstream.actor.decode.StepDecoder;
import dev.qstream.actor.decode.StepRequest;
import dev.qstream.actor.experience.Adder;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.PromptCopies;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
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
 * Generates one episode token by token (Acme's Actor role): each step asks the {@link ActionMasker} which tokens
 * are valid, the {@link StepDecoder} for a decision (made with one model version, possibly batched with other
 * episodes' steps), and hands the transition to the {@link Adder}. The episode ends on end-of-sequence, at the
 * token limit, or at the prompt's deadline. An episode keeps the version it started with (a hot swap serves the
 * episodes that start after it), and every transition says which version that was.
 */
public final class EpisodeGenerator {

    private final String actorId;
    private final Vocabulary vocabulary;
    private final Tokenizer tokenizer;
    private final ActionMasker masker;
    private final StepDecoder decoder;
    private final int maxPromptTokens;
    private final Clock clock;
    private final GenerationMetrics metrics;

    public EpisodeGenerator(String actorId, Vocabulary vocabulary, Tokenizer tokenizer, ActionMasker masker,
                            StepDecoder decoder, int maxPromptTokens, Clock clock, GenerationMetrics metrics) {
        this.actorId = actorId;
        this.vocabulary = vocabulary;
        this.tokenizer = tokenizer;
        this.masker = masker;
        this.decoder = decoder;
        this.maxPromptTokens = maxPromptTokens;
        this.clock = clock;
        this.metrics = metrics;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * A prompt as the steps need it: its ids as the state encoder takes them (word ids, unknown words {@code <unk>},
     * then the copy actions it offers, see {@link StateEncoder#withCopies}), its copy actions, and the ids boxed.
     */
    private record PromptView(int[] ids, PromptCopies copies, int[] copyActions, List<Integer> boxed) {
    }

    /** Prompt text → tokens truncated to the prompt limit, then ids and copy actions. */
    private PromptView prompt(String promptText) {
        List<String> tokens = tokenizer.tokenize(promptText);
        List<String> words = tokens.size() > maxPromptTokens ? tokens.subList(0, maxPromptTokens) : tokens;
        PromptCopies copies = PromptCopies.of(words, vocabulary, maxPromptTokens);
        int[] ids = StateEncoder.withCopies(vocabulary.encode(words), copies.actions());
        return new PromptView(ids, copies, copies.actions(), boxed(ids, ids.length));
    }

    /**
     * @param adder where transitions go; null for evaluation episodes, which must not become training data
     */
    public GenerationResult generate(String promptId, String promptText, Instant deadline, Exploration exploration,
                                     int maxTokens, SplittableRandom random, Adder adder) throws InterruptedException {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
        UUID episodeId = UUID.randomUUID();
        String episode = episodeId.toString();
        PromptView p = prompt(promptText);
        int[] prompt = p.ids();
        PromptCopies copies = p.copies();
        int[] copyActions = p.copyActions();
        List<Integer> promptList = p.boxed();
        int[] prefix = new int[maxTokens];
        int[] said = new int[maxTokens]; // word ids of what the prefix said, for the repetition guard
        List<String> words = new ArrayList<>();
        long firstVersion = -1;
        long version = -1;
        EndReason end = null;
        // The episode's version is pinned here: every token comes from it, even if a swap or a deployment decision
        // lands mid-episode, so the canary comparison and the transitions' policy version are exact.
        ServingPolicy policy = decoder.policyFor(episode);
        decoder.episodeStarted();
        try {
            for (int step = 0; end == null; step++) {
                long started = System.nanoTime();
                ActionMasker.Mask mask = masker.mask(prompt, copyActions, copies.nextWordIds(words), prefix, said, step);
                Decision decision = decoder.decide(new StepRequest(prompt, prefix, step, mask, exploration, random, policy));
                long nanos = System.nanoTime() - started;
                metrics.token(nanos);
                version = decision.version();
                if (firstVersion < 0) {
                    firstVersion = version;
                }
                int action = decision.action();
                prefix[step] = action;
                if (action == Vocabulary.EOS_ID) {
                    end = EndReason.END_OF_SEQUENCE;
                } else if (step + 1 >= maxTokens) {
                    end = EndReason.MAX_TOKENS;
                } else if (deadline != null && clock.instant().isAfter(deadline)) {
                    end = EndReason.DEADLINE;
                }
                // A copy action says a prompt word (perhaps one the vocabulary lacks); the prefix keeps the action id,
                // as the learner rebuilds states from actions.
                String word = action == Vocabulary.EOS_ID ? ""
                        : vocabulary.isCopy(action) ? copies.word(action, words) : vocabulary.token(action);
                if (!word.isEmpty()) {
                    words.add(word);
                }
                said[step] = vocabulary.isCopy(action) ? copies.wordId(word) : action;
                if (adder != null) {
                    adder.add(step(episode, promptId, promptList, prefix, step, action, word, decision.recordedMask(), end)
                            .setPolicyVersion(version)
                            .setBehaviourProbability(decision.probability())
                            .setExploration(exploration.strategy())
                            .setDecisionMicros(nanos / 1_000)
                            .build());
                }
            }
        } finally {
            decoder.episodeEnded();
        }
        String text = tokenizer.detokenize(words);
        if (adder != null) {
            adder.episodeEnded(summary(episodeId, promptId, promptText, text, words.size(), end, firstVersion,
                    exploration.strategy()));
        }
        return new GenerationResult(episodeId, text, List.copyOf(words), firstVersion, version, end);
    }

    /**
     * A demonstration: the episode that says {@code reference}, teacher-forced rather than chosen by the policy, so
     * that the learner learns from the human text its users have (as in DQfD) besides its own trials. Each reference
     * token becomes the action that says it: a copy action when the prompt offers the word (so names are learned as
     * "say the prompt's word in this place", which carries over to names never seen), else its vocabulary word; a
     * word the action space cannot say is skipped. The recorded mask is the one the policy would have had, plus the
     * demonstrated action when the mask lacks it. Ends with end-of-sequence, or at {@code maxTokens}.
     *
     * @return the episode; its transitions (strategy DEMONSTRATION, behaviour probability 1) went to {@code adder}
     */
    public GenerationResult demonstrate(String promptId, String promptText, String reference, int maxTokens, Adder adder) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
        UUID episodeId = UUID.randomUUID();
        PromptView p = prompt(promptText);
        int[] prompt = p.ids();
        PromptCopies copies = p.copies();
        int[] copyActions = p.copyActions();
        List<Integer> promptList = p.boxed();
        List<String> said = new ArrayList<>();
        for (String token : tokenizer.tokenize(reference)) {
            if (said.size() + 1 >= maxTokens) {
                break;
            }
            if (vocabulary.contains(token) || copyActionFor(copies, copyActions, copies.nextWordIds(said), token) >= 0) {
                said.add(token);
            }
        }
        int[] prefix = new int[said.size() + 1];
        int[] saidIds = new int[said.size() + 1];
        List<String> words = new ArrayList<>();
        EndReason end = null;
        for (int step = 0; end == null; step++) {
            boolean last = step == said.size();
            String word = last ? "" : said.get(step);
            int[] copyWords = copies.nextWordIds(words);
            int copy = last ? -1 : copyActionFor(copies, copyActions, copyWords, word);
            int action = last ? Vocabulary.EOS_ID : copy >= 0 ? copy : vocabulary.id(word);
            ActionMasker.Mask mask = masker.mask(prompt, copyActions, copyWords, prefix, saidIds, step);
            int[] recorded = mask.explicit() ? withAction(mask.actions(), action) : null;
            if (last) {
                end = said.size() + 1 >= maxTokens && said.size() > 0 ? EndReason.MAX_TOKENS : EndReason.END_OF_SEQUENCE;
            }
            prefix[step] = action;
            saidIds[step] = copy >= 0 ? copies.wordId(word) : action;
            if (!last) {
                words.add(word);
            }
            adder.add(step(episodeId.toString(), promptId, promptList, prefix, step, action, word, recorded, end)
                    .setPolicyVersion(0) // no policy chose these steps
                    .setBehaviourProbability(1.0)
                    .setExploration(ExplorationStrategy.DEMONSTRATION)
                    .setDecisionMicros(0L)
                    .build());
        }
        String text = tokenizer.detokenize(words);
        adder.episodeEnded(summary(episodeId, promptId, promptText, text, words.size(), end, 0, ExplorationStrategy.DEMONSTRATION));
        return new GenerationResult(episodeId, text, List.copyOf(words), 0, 0, end);
    }

    /** A step's transition, up to who chose the action and how (version, probability, strategy, time). */
    private Transition.Builder step(String episode, String promptId, List<Integer> prompt, int[] prefix, int step,
                                    int action, String word, int[] mask, EndReason end) {
        return Transition.newBuilder()
                .setEpisodeId(episode)
                .setPromptId(promptId)
                .setActorId(actorId)
                .setStep(step)
                .setPromptTokens(prompt)
                .setPrefixTokens(boxed(prefix, step))
                .setAction(action)
                .setActionToken(word)
                .setValidActions(mask == null ? null : boxed(mask, mask.length))
                .setDone(end != null)
                .setEndReason(end)
                .setCreatedAt(clock.millis());
    }

    /** The episode's summary for the generations topic (end-of-sequence counts as a token). */
    private Episode summary(UUID episodeId, String promptId, String promptText, String text, int words, EndReason end,
                            long version, ExplorationStrategy strategy) {
        return Episode.newBuilder()
                .setEpisodeId(episodeId)
                .setPromptId(promptId)
                .setActorId(actorId)
                .setPrompt(promptText)
                .setText(text)
                .setTokenCount(words + (end == EndReason.END_OF_SEQUENCE ? 1 : 0))
                .setPolicyVersion(version)
                .setExploration(strategy)
                .setEndReason(end)
                .setScores(null)
                .setCreatedAt(clock.instant())
                .build();
    }

    /**
     * The copy action that says {@code word} next, or -1 when the prompt offers none that has not said all its
     * positions already (the repetition guard forbids those, so a demonstration must not take them either).
     *
     * @param next what each copy action would say now ({@link PromptCopies#nextWordIds})
     */
    private static int copyActionFor(PromptCopies copies, int[] copyActions, int[] next, String word) {
        int id = copies.wordId(word);
        for (int k = 0; k < copyActions.length; k++) {
            if (next[k] == id) {
                return copyActions[k];
            }
        }
        return -1;
    }

    private static int[] withAction(int[] sortedMask, int action) {
        if (Arrays.binarySearch(sortedMask, action) >= 0) {
            return sortedMask;
        }
        int[] out = Arrays.copyOf(sortedMask, sortedMask.length + 1);
        out[sortedMask.length] = action;
        Arrays.sort(out);
        return out;
    }

    private static List<Integer> boxed(int[] ids, int n) {
        return Arrays.stream(ids, 0, n).boxed().toList();
    }
}
