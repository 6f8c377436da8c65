package dev.qstream.actor.service;

import dev.qstream.actor.generation.ActionMasker;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.schemas.avro.ExplorationStrategy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Every knob of an actor instance.
 *
 * @param instanceId      this actor's id (on transitions and metrics)
 * @param modelName       which model on the model topic to serve
 * @param vocabulary      the action space; must be the learner's (checked by fingerprint)
 * @param encoder         state encoding of the untrained version-0 model (published models carry their own)
 * @param hidden          hidden units of the version-0 model
 * @param initSeed        seed of the version-0 weights (the learner uses the same, so both start identical)
 * @param maxTokens       longest episode, end-of-sequence included
 * @param maxPromptTokens prompt tokens kept (the rest is cut)
 * @param strategy        default exploration for live traffic
 * @param epsilon         ε schedule over this actor's episodes
 * @param temperature     Boltzmann temperature
 * @param maskMode        which actions are valid
 * @param commonWords     how many of the most frequent words are always valid in PROMPT_AND_COMMON mode
 * @param signer          verifies model signatures; empty = accept unsigned models (development only)
 * @param groupId         consumer group of the actors sharing the prompts topic
 * @param catchUpTimeout  how long to read the model topic at start before serving anyway
 */
public record ActorConfig(String instanceId, String modelName, Vocabulary vocabulary, EncoderSpec encoder, int hidden,
                          long initSeed, int maxTokens, int maxPromptTokens, ExplorationStrategy strategy,
                          EpsilonSchedule epsilon, double temperature, ActionMasker.Mode maskMode, int commonWords,
                          Optional<ModelSigner> signer, String groupId, Duration catchUpTimeout) {

    public static final String DEFAULT_MODEL_NAME = "qnet";
    public static final long DEFAULT_INIT_SEED = 20261128L;
    public static final int DEFAULT_HIDDEN = 256;
    public static final int DEFAULT_MAX_TOKENS = 32;
    public static final int DEFAULT_COMMON_WORDS = 64;

    public ActorConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(signer, "signer");
        if (maxTokens < 1 || maxPromptTokens < 1 || hidden < 1 || commonWords < 0) {
            throw new IllegalArgumentException("maxTokens, maxPromptTokens and hidden must be >= 1, commonWords >= 0");
        }
    }

    public static ActorConfig defaults(String instanceId, Vocabulary vocabulary, Optional<ModelSigner> signer) {
        return new ActorConfig(instanceId, DEFAULT_MODEL_NAME, vocabulary, EncoderSpec.defaults(), DEFAULT_HIDDEN,
                DEFAULT_INIT_SEED, DEFAULT_MAX_TOKENS, 256, ExplorationStrategy.EPSILON_GREEDY,
                new EpsilonSchedule(0.5, 0.05, 2_000), 0.5, ActionMasker.Mode.PROMPT_AND_COMMON,
                DEFAULT_COMMON_WORDS, signer, "qstream-actors", Duration.ofSeconds(30));
    }
}
