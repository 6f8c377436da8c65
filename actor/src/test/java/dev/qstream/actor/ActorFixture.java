package dev.qstream.actor;

import dev.qstream.actor.service.ActorConfig;
import dev.qstream.actor.service.ActorService;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelChunker;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/** An actor on an embedded broker, plus a model publisher whose versions are recognisable by their greedy token. */
public final class ActorFixture implements AutoCloseable {

    public static final ModelSigner KEY = new ModelSigner("actor-test-signing-key-0123456789".getBytes(StandardCharsets.UTF_8));
    public static final Vocabulary VOCABULARY = Vocabulary.synthetic(40);
    public static final EncoderSpec ENCODER = new EncoderSpec(16, 8, 8, 4, 8);
    public static final QNetworkSpec SPEC = new QNetworkSpec(ENCODER, 8, VOCABULARY.size());

    public final KafkaSettings settings;
    public final ServiceContext context;
    public final ActorService actor;
    private final KafkaProducer<byte[], byte[]> modelProducer;

    public ActorFixture(String bootstrap, String prefix, Consumer<ActorConfig.Builder> customize) throws Exception {
        this(bootstrap, prefix, customize, Map.of());
    }

    /** @param clientOverrides Kafka client settings for the actor's clients (e.g. a small producer buffer) */
    public ActorFixture(String bootstrap, String prefix, Consumer<ActorConfig.Builder> customize,
                        Map<String, String> clientOverrides) throws Exception {
        this.settings = new KafkaSettings(bootstrap, new TopicLayout(prefix, 2, (short) 1), clientOverrides);
        this.context = ServiceContext.start(settings, "actor", "actor-" + prefix, Duration.ofSeconds(30), Duration.ofSeconds(1));
        ActorConfig.Builder builder = ActorConfig.builder("actor-" + prefix, VOCABULARY).encoder(ENCODER).hidden(8)
                .commonWords(VOCABULARY.size()).maxTokens(3).signer(Optional.of(KEY)).httpPort(0)
                .groupId(prefix + "-actors").catchUpTimeout(Duration.ofSeconds(20));
        customize.accept(builder);
        this.actor = ActorService.start(builder.build(), context);
        Properties p = settings.producer("model-publisher-" + prefix);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "model-publisher-" + prefix);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        this.modelProducer = new KafkaProducer<>(p);
        modelProducer.initTransactions();
    }

    /** The token a version's weights make greedy decoding pick first. */
    public static int tokenOf(long version) {
        return Vocabulary.SPECIAL_TOKENS + (int) (version % (VOCABULARY.size() - Vocabulary.SPECIAL_TOKENS));
    }

    /** Weights whose Q-values are 10 for {@link #tokenOf(long)} and 0 elsewhere, whatever the state. */
    public static QNetworkWeights weightsFor(long version) {
        float[] w1 = new float[SPEC.inputs() * SPEC.hidden()];
        float[] b1 = new float[SPEC.hidden()];
        Arrays.fill(b1, 1f);
        float[] w2 = new float[SPEC.actions() * SPEC.hidden()];
        float[] b2 = new float[SPEC.actions()];
        b2[tokenOf(version)] = 10f;
        return new QNetworkWeights(SPEC, w1, b1, w2, b2);
    }

    public List<ModelUpdate> chunks(long version, Optional<ModelSigner> signer, QNetworkWeights weights, String fingerprint) {
        return ModelChunker.chunks("qnet", new ModelSnapshot(version, version - 1, fingerprint, weights), signer,
                List.of(), Map.of(), 512);
    }

    public void publish(long version) {
        send(chunks(version, Optional.of(KEY), weightsFor(version), VOCABULARY.fingerprint()));
    }

    public void send(List<ModelUpdate> chunks) {
        modelProducer.beginTransaction();
        for (ModelUpdate c : chunks) {
            modelProducer.send(new ProducerRecord<>(settings.topic(QstreamTopic.MODEL), 0,
                    ModelChunker.key(c.getModelName(), c.getChunkIndex()).getBytes(StandardCharsets.UTF_8),
                    Serdes.MODEL_UPDATE.encode(c)));
        }
        modelProducer.commitTransaction();
    }

    public List<DeadLetter> deadLetters() {
        return readAll(QstreamTopic.DLQ, Serdes.DEAD_LETTER::decode);
    }

    /** Every transition now on the transitions topic, all partitions. */
    public List<Transition> transitions() {
        return readAll(QstreamTopic.TRANSITIONS, Serdes.TRANSITION::decode);
    }

    /** Every record now on a topic (all partitions, up to their current end), decoded. */
    private <T> List<T> readAll(QstreamTopic topic, Function<byte[], T> decode) {
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer("reader-" + UUID.randomUUID(), null))) {
            List<TopicPartition> parts = c.partitionsFor(settings.topic(topic)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 20_000;
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    records.add(decode.apply(r.value()));
                }
            }
        }
        return records;
    }

    @Override
    public void close() {
        modelProducer.close();
        actor.close();
        context.close();
    }
}
