package dev.qstream.actor.service;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.actor.generation.ReferenceChoice;
import dev.qstream.actor.experience.TrainingBacklog;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.schemas.avro.ExplorationStrategy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Every knob of an actor instance (docs/ACTOR.md has the advice).
 *
 * @param instanceId       this actor's id (on transitions and metrics; also its static group member id)
 * @param modelName        which model on the model topic to serve
 * @param vocabulary       the action space; must be the learner's (checked by fingerprint)
 * @param encoder          state encoding of the untrained version-0 model (published models carry their own)
 * @param hidden           hidden units of the version-0 model
 * @param initSeed         seed of the version-0 weights (the learner uses the same, so both start identical)
 * @param maxTokens        longest episode, end-of-sequence included
 * @param maxPromptTokens  prompt tokens kept (the rest is cut)
 * @param strategy         default exploration for live traffic
 * @param epsilon          ε schedule over this actor's episodes
 * @param temperature      default Boltzmann temperature
 * @param maskMode         which actions are valid
 * @param commonWords      most frequent words always valid in PROMPT_AND_COMMON mode
 * @param topK             mask size in TOP_K mode
 * @param maxBatch         most states decided together
 * @param maxBatchWait     longest a step waits for others to batch with
 * @param topicConcurrency prompts from the topic generated at once (so they batch)
 * @param httpPort         HTTP API port; -1 = no HTTP API, 0 = any free port
 * @param httpExposure     interface the HTTP API binds and the bearer token it requires (loopback by default)
 * @param maxRequestBytes  largest HTTP request body accepted
 * @param rejectUnknownFeedbackEpisodes refuse feedback for episode ids this actor did not produce (recently)
 * @param requireKafka     answer generate with 503 while Kafka is not acknowledging (default: keep serving and buffer)
 * @param producerQueueRecords records the actor holds for Kafka while it is away; beyond that, back-pressure
 * @param signer           verifies model signatures; empty = accept unsigned models (development only)
 * @param groupId          consumer group of the actors sharing the prompts topic
 * @param catchUpTimeout   how long to read the model topic at start before serving anyway
 * @param demonstrationFraction share of topic prompts with references that also yield a demonstration: an episode
 *                         teacher-forced from one of the references (learning from the human text users have)
 * @param referenceChoice  which reference a demonstration says
 * @param trainingBacklog  how much unconsumed training data the actor lets build up before it samples which
 *                         episodes it emits for training (it serves every request either way)
 */
public record ActorConfig(String instanceId, String modelName, Vocabulary vocabulary, EncoderSpec encoder, int hidden,
                          long initSeed, int maxTokens, int maxPromptTokens, ExplorationStrategy strategy,
                          EpsilonSchedule epsilon, double temperature, ActionMasker.Mode maskMode, int commonWords,
                          int topK, int maxBatch, Duration maxBatchWait, int topicConcurrency, int httpPort,
                          HttpExposure httpExposure, int maxRequestBytes, boolean rejectUnknownFeedbackEpisodes,
                          boolean requireKafka, int producerQueueRecords, Optional<ModelSigner> signer, String groupId, Duration catchUpTimeout,
                          double demonstrationFraction, ReferenceChoice referenceChoice, TrainingBacklog.Policy trainingBacklog) {

    public static final int DEFAULT_MAX_TOKENS = 32;
    public static final int DEFAULT_COMMON_WORDS = 16;
    public static final double DEFAULT_DEMONSTRATION_FRACTION = 0.25;

    /** The model identity these settings name. */
    public ModelIdentity model() {
        return new ModelIdentity(modelName, encoder, hidden, initSeed);
    }

    public ActorConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(httpExposure, "httpExposure");
        Objects.requireNonNull(referenceChoice, "referenceChoice");
        Objects.requireNonNull(trainingBacklog, "trainingBacklog");
        if (maxTokens < 1 || maxPromptTokens < 1 || hidden < 1 || commonWords < 0 || topK < 1 || maxBatch < 1
                || topicConcurrency < 1 || httpPort < -1 || maxRequestBytes < 1024 || producerQueueRecords < 1
                || !(demonstrationFraction >= 0 && demonstrationFraction <= 1)) {
            throw new IllegalArgumentException("invalid actor settings: " + this);
        }
    }

    public static Builder builder(String instanceId, Vocabulary vocabulary) {
        return new Builder(instanceId, vocabulary);
    }

    /** Defaults for everything but identity and vocabulary. */
    public static final class Builder {
        private final String instanceId;
        private final Vocabulary vocabulary;
        private String modelName = ModelIdentity.DEFAULT_NAME;
        private EncoderSpec encoder = EncoderSpec.defaults();
        private int hidden = ModelIdentity.DEFAULT_HIDDEN;
        private long initSeed = ModelIdentity.DEFAULT_INIT_SEED;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private int maxPromptTokens = 256;
        private ExplorationStrategy strategy = ExplorationStrategy.EPSILON_GREEDY;
        private EpsilonSchedule epsilon = new EpsilonSchedule(0.5, 0.05, 2_000);
        private double temperature = 0.5;
        private ActionMasker.Mode maskMode = ActionMasker.Mode.PROMPT_AND_COMMON;
        private int commonWords = DEFAULT_COMMON_WORDS;
        private int topK = 64;
        private int maxBatch = 64;
        private Duration maxBatchWait = Duration.ofMillis(1);
        private int topicConcurrency = 16;
        private int httpPort = -1;
        private HttpExposure httpExposure = HttpExposure.loopback(Optional.empty());
        private int maxRequestBytes = 64 * 1024;
        private boolean rejectUnknownFeedbackEpisodes;
        private boolean requireKafka;
        private int producerQueueRecords = 200_000;
        private Optional<ModelSigner> signer = Optional.empty();
        private String groupId = "qstream-actors";
        private Duration catchUpTimeout = Duration.ofSeconds(60);
        private double demonstrationFraction = DEFAULT_DEMONSTRATION_FRACTION;
        private ReferenceChoice referenceChoice = ReferenceChoice.CENTRAL;
        private TrainingBacklog.Policy trainingBacklog = TrainingBacklog.Policy.unbounded();

        private Builder(String instanceId, Vocabulary vocabulary) {
            this.instanceId = instanceId;
            this.vocabulary = vocabulary;
        }

        /** Name, encoding, hidden size and init seed at once. */
        public Builder model(ModelIdentity v) {
            return modelName(v.name()).encoder(v.encoder()).hidden(v.hidden()).initSeed(v.initSeed());
        }

        public Builder modelName(String v) { modelName = v; return this; }
        public Builder encoder(EncoderSpec v) { encoder = v; return this; }
        public Builder hidden(int v) { hidden = v; return this; }
        public Builder initSeed(long v) { initSeed = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder maxPromptTokens(int v) { maxPromptTokens = v; return this; }
        public Builder strategy(ExplorationStrategy v) { strategy = v; return this; }
        public Builder epsilon(EpsilonSchedule v) { epsilon = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder maskMode(ActionMasker.Mode v) { maskMode = v; return this; }
        public Builder commonWords(int v) { commonWords = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder maxBatch(int v) { maxBatch = v; return this; }
        public Builder maxBatchWait(Duration v) { maxBatchWait = v; return this; }
        public Builder topicConcurrency(int v) { topicConcurrency = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder httpExposure(HttpExposure v) { httpExposure = v; return this; }
        public Builder maxRequestBytes(int v) { maxRequestBytes = v; return this; }
        public Builder rejectUnknownFeedbackEpisodes(boolean v) { rejectUnknownFeedbackEpisodes = v; return this; }
        public Builder requireKafka(boolean v) { requireKafka = v; return this; }
        public Builder producerQueueRecords(int v) { producerQueueRecords = v; return this; }
        public Builder signer(Optional<ModelSigner> v) { signer = v; return this; }
        public Builder groupId(String v) { groupId = v; return this; }
        public Builder catchUpTimeout(Duration v) { catchUpTimeout = v; return this; }
        public Builder demonstrationFraction(double v) { demonstrationFraction = v; return this; }
        public Builder referenceChoice(ReferenceChoice v) { referenceChoice = v; return this; }
        public Builder trainingBacklog(TrainingBacklog.Policy v) { trainingBacklog = v; return this; }

        public ActorConfig build() {
            return new ActorConfig(instanceId, modelName, vocabulary, encoder, hidden, initSeed, maxTokens,
                    maxPromptTokens, strategy, epsilon, temperature, maskMode, commonWords, topK, maxBatch,
                    maxBatchWait, topicConcurrency, httpPort, httpExposure, maxRequestBytes, rejectUnknownFeedbackEpisodes,
                    requireKafka, producerQueueRecords, signer, groupId, catchUpTimeout, demonstrationFraction,
                    referenceChoice, trainingBacklog);
        }
    }
}
