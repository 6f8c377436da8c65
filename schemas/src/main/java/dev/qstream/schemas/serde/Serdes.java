package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.SchemaRegistration;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

/** One shared serde per topic value type; they are stateless and thread-safe. */
public final class Serdes {
    public static final AvroSerde<Prompt> PROMPT = new AvroSerde<>(Prompt.class);
    public static final AvroSerde<Transition> TRANSITION = new AvroSerde<>(Transition.class);
    public static final AvroSerde<Feedback> FEEDBACK = new AvroSerde<>(Feedback.class);
    public static final AvroSerde<ScoredEpisode> SCORED_EPISODE = new AvroSerde<>(ScoredEpisode.class);
    /** Per step: what qstream.scored carried before ScoredEpisode, and the scorer's late-feedback store. */
    public static final AvroSerde<ScoredTransition> SCORED_TRANSITION = new AvroSerde<>(ScoredTransition.class);
    public static final AvroSerde<RewardCorrection> REWARD_CORRECTION = new AvroSerde<>(RewardCorrection.class);
    public static final AvroSerde<ModelUpdate> MODEL_UPDATE = new AvroSerde<>(ModelUpdate.class);
    public static final AvroSerde<DeploymentDecision> DEPLOYMENT_DECISION = new AvroSerde<>(DeploymentDecision.class);
    public static final AvroSerde<MetricEvent> METRIC_EVENT = new AvroSerde<>(MetricEvent.class);
    public static final AvroSerde<Episode> EPISODE = new AvroSerde<>(Episode.class);
    public static final AvroSerde<DeadLetter> DEAD_LETTER = new AvroSerde<>(DeadLetter.class);
    /** Frozen: the schema announcements on qstream.schemas. */
    public static final AvroSerde<SchemaRegistration> SCHEMA_REGISTRATION = new AvroSerde<>(SchemaRegistration.class);
    /** Internal: the scorer's episode store. */
    public static final AvroSerde<EpisodeAssembly> EPISODE_ASSEMBLY = new AvroSerde<>(EpisodeAssembly.class);

    private Serdes() {
    }
}
