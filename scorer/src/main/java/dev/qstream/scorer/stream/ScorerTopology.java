package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Properties;

/**
 * The scorer as a Kafka Streams topology: transitions in, scored transitions, scored episode summaries and dead
 * letters out, exactly once.
 */
public final class ScorerTopology {

    static final String PROMPT_STORE = "prompts";
    static final String EPISODE_STORE = "episodes";
    static final String SCORED_SINK = "scored-sink";
    static final String GENERATIONS_SINK = "generations-sink";
    static final String DLQ_SINK = "dlq-sink";

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

        // Transitions keyed by episode id: every step of an episode reaches the same task, in order.
        topology.addSource("transitions-source", keyReader, Serdes.TRANSITION, config.layout().name(QstreamTopic.TRANSITIONS));

        // Assembly and scoring keep partial episodes in a fault-tolerant RocksDB store (changelogged).
        topology.addProcessor("assemble", () -> new EpisodeAssemblyProcessor(config, metrics), "transitions-source");
        StoreBuilder<KeyValueStore<String, EpisodeAssembly>> episodeStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EPISODE_STORE), org.apache.kafka.common.serialization.Serdes.String(),
                Serdes.EPISODE_ASSEMBLY);
        topology.addStateStore(episodeStore, "assemble");

        // One sink per output topic; the processor forwards to each by name.
        topology.addSink(SCORED_SINK, config.layout().name(QstreamTopic.SCORED), keys, serializer(Serdes.SCORED_TRANSITION), "assemble");
        topology.addSink(GENERATIONS_SINK, config.layout().name(QstreamTopic.GENERATIONS), keys, serializer(Serdes.EPISODE), "assemble");
        topology.addSink(DLQ_SINK, config.layout().name(QstreamTopic.DLQ), keys, serializer(Serdes.DEAD_LETTER), "assemble");
        return topology;
    }

    @SuppressWarnings("unchecked")
    private static <T> org.apache.kafka.common.serialization.Serializer<Object> serializer(Serde<T> serde) {
        return (org.apache.kafka.common.serialization.Serializer<Object>) serde.serializer();
    }

    /** The Streams settings of the scorer (besides where Kafka is): exactly once, RocksDB, dead-letter handlers. */
    public static Properties streamsProperties(ScorerConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(config.commitInterval().toMillis()));
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, String.valueOf(config.standbyReplicas()));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(config.layout().replicationFactor()));
        if (config.stateDir() != null) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        }
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandlers.Processing.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterExceptionHandlers.Production.class.getName());
        p.put(DeadLetterExceptionHandlers.DLQ_TOPIC, config.layout().name(QstreamTopic.DLQ));
        p.put(DeadLetterExceptionHandlers.CONSUMER_NAME, config.applicationId());
        return p;
    }
}
