package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.runtime.deadletter.DeadLetterPublisher;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.scorer.reward.RewardComposer;
import dev.qstream.schemas.validation.RecordValidator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Properties;

import static dev.qstream.scorer.stream.CommitBufferedStore.Lifetime.LONG;
import static dev.qstream.scorer.stream.CommitBufferedStore.Lifetime.SHORT;

/**
 * The scorer as a Kafka Streams topology: transitions and feedback in; scored transitions, scored episode
 * summaries, reward corrections and dead letters out, exactly once.
 *
 * <pre>
 *   transitions ─► assemble ─(whole episodes)─► join ─► scored, generations, rewards.late
 *   feedback ──────────────────────────────────►  │
 *   prompts (global table) ─► references for both; both ─► dlq
 * </pre>
 */
public final class ScorerTopology {

    static final String PROMPT_STORE = "prompts";
    static final String EPISODE_STORE = "episodes";
    static final String STEP_STORE = "episode-steps";
    static final String HELD_STORE = "held-episodes";
    static final String FEEDBACK_STORE = "feedback";
    static final String SCORED_STORE = "scored-episodes";
    static final String TIMER_STORE = "feedback-timers";
    static final String ASSEMBLE = "assemble";
    static final String JOIN = "join";
    static final String SCORED_SINK = "scored-sink";
    static final String GENERATIONS_SINK = "generations-sink";
    static final String LATE_SINK = "rewards-late-sink";
    static final String DLQ_SINK = "dlq-sink";

    /**
     * {@code max.task.idle.ms}: never wait for the other input before processing what is buffered. Each task reads a
     * transitions and a feedback partition, and feedback is idle most of the time; with the default (0) Kafka Streams
     * 4.4 checks the idle partition's lag before every record and formats three log strings with String.format
     * whether or not they are logged (~9% of the stream thread in {@code bench scorer}). Nothing in the scorer
     * depends on the order of transitions and feedback by record timestamp: the join's windows run on the feedback's
     * own {@code createdAt} and on the wall clock, and feedback that arrives before its episode is kept until it comes.
     */
    public static final String MAX_TASK_IDLE_MS = String.valueOf(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);

    private ScorerTopology() {
    }

    public static Topology buildTopology(ScorerConfig config) {
        return buildTopology(config, ScorerMetrics.NONE);
    }

    public static Topology buildTopology(ScorerConfig config, ScorerMetrics metrics) {
        StringSerializer keys = new StringSerializer();
        StringDeserializer keyReader = new StringDeserializer();
        Topology topology = new Topology();

        // Prompts as a global table: an episode on any partition can look up its prompt's references by id.
        StoreBuilder<KeyValueStore<String, Prompt>> promptStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PROMPT_STORE), org.apache.kafka.common.serialization.Serdes.String(),
                Serdes.PROMPT).withLoggingDisabled(); // the prompts topic itself is the changelog of a global store
        topology.addGlobalStore(promptStore, "prompts-source", keyReader, new ByteArrayDeserializer(),
                config.layout().name(QstreamTopic.PROMPTS), "prompts-table",
                () -> new PromptTableUpdater(new RecordValidator(config.limits())));

        // Transitions and feedback keyed by episode id, co-partitioned: an episode's steps and its feedback reach the
        // same task, so the join needs no repartitioning.
        topology.addSource("transitions-source", keyReader, Serdes.TRANSITION, config.layout().name(QstreamTopic.TRANSITIONS));
        topology.addSource("feedback-source", keyReader, Serdes.FEEDBACK, config.layout().name(QstreamTopic.FEEDBACK));

        // Assembly turns steps into whole episodes; the join decides when each is scored (at once, or when its
        // feedback window closes) and turns feedback that misses the window into corrections.
        topology.addProcessor(ASSEMBLE, () -> new EpisodeAssemblyProcessor(config, metrics), "transitions-source");
        // One composer and one cache of prepared references for all tasks of the instance (both thread-safe).
        RewardComposer composer = new RewardComposer(config.reward());
        PreparedReferences prepared = new PreparedReferences(composer);
        topology.addProcessor(JOIN, () -> new FeedbackJoinProcessor(config, metrics, composer, prepared), ASSEMBLE,
                "feedback-source");

        // Fault-tolerant RocksDB stores (changelogged, restored exactly once).
        // The episodes being assembled (a header each, and their steps) are buffered decoded until each commit, so
        // that an episode which arrives and completes between two commits never touches RocksDB or the changelog;
        // the scored episodes remembered for late feedback and the timers, written once per episode and rarely
        // read again, are buffered the same way so that they never fill Kafka Streams' record cache (see
        // CommitBufferedStore). Held episodes and feedback, rare unless feedback is in use, keep the record cache,
        // which folds the many writes an episode makes within one commit into one changelog record.
        topology.addStateStore(CommitBufferedStore.builder(EPISODE_STORE, Serdes.EPISODE_ASSEMBLY, SHORT), ASSEMBLE, JOIN);
        topology.addStateStore(CommitBufferedStore.builder(STEP_STORE, Serdes.TRANSITION, SHORT), ASSEMBLE);
        topology.addStateStore(store(HELD_STORE, Serdes.EPISODE_ASSEMBLY), ASSEMBLE, JOIN);
        topology.addStateStore(CommitBufferedStore.builder(SCORED_STORE, Serdes.SCORED_TRANSITION, LONG), ASSEMBLE, JOIN);
        topology.addStateStore(store(FEEDBACK_STORE, Serdes.FEEDBACK), JOIN);
        topology.addStateStore(CommitBufferedStore.builder(TIMER_STORE, org.apache.kafka.common.serialization.Serdes.String(), LONG), JOIN);

        // One sink per output topic; the processors forward to each by name.
        topology.addSink(SCORED_SINK, config.layout().name(QstreamTopic.SCORED), keys, serializer(Serdes.SCORED_EPISODE), JOIN);
        topology.addSink(GENERATIONS_SINK, config.layout().name(QstreamTopic.GENERATIONS), keys, serializer(Serdes.EPISODE), JOIN);
        topology.addSink(LATE_SINK, config.layout().name(QstreamTopic.REWARDS_LATE), keys, serializer(Serdes.REWARD_CORRECTION), JOIN);
        topology.addSink(DLQ_SINK, config.layout().name(QstreamTopic.DLQ), keys, serializer(Serdes.DEAD_LETTER), ASSEMBLE, JOIN);
        return topology;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                org.apache.kafka.common.serialization.Serdes.String(), values).withCachingEnabled();
    }

    @SuppressWarnings("unchecked")
    private static <T> Serializer<Object> serializer(Serde<T> serde) {
        return (Serializer<Object>) serde.serializer();
    }

    /** The Streams settings of the scorer (besides where Kafka is): exactly once, RocksDB, dead-letter handlers. */
    public static Properties streamsProperties(ScorerConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(config.commitInterval().toMillis()));
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, MAX_TASK_IDLE_MS);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, String.valueOf(config.standbyReplicas()));
        // Internal topics replicated like qstream's; a layout still "from the cluster size" asks for the broker's
        // default (-1), which qstream's own brokers set to the same rule.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(config.layout().autoReplication() ? -1
                : config.layout().replicationFactor()));
        if (config.stateDir() != null) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        }
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandlers.Processing.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandlers.Production.class.getName());
        p.put(DeadLetterExceptionHandlers.DLQ_TOPIC, config.layout().name(QstreamTopic.DLQ));
        // service/instance like every other service's dead letters; ScorerService puts its real instance id here.
        p.put(DeadLetterExceptionHandlers.CONSUMER_NAME, DeadLetterPublisher.consumerName("scorer", config.applicationId()));
        return p;
    }
}
