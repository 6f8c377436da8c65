package dev.qstream.actor.model;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.transport.ModelAssembler;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.policy.transport.ModelTopicReader;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Follows {@code qstream.model} and swaps verified new versions in. Reassembly, hashing, signature checks and
 * building the new weights all happen on this client's own thread, off the serving path; the swap itself is one
 * atomic reference write, so steps in flight finish on the version they took. Refused updates (corrupt, unsigned,
 * foreign vocabulary, older) are counted, dead-lettered and logged while the current model keeps serving.
 */
public final class KafkaVariableClient implements VariableClient, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaVariableClient.class);

    private final AtomicReference<ServingPolicy> current;
    private final boolean outputMatrix;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final ModelAssembler assembler;
    private final Predicate<ModelSnapshot> compatible;
    private final String expectation;
    private final RecordIntake<ModelUpdate> intake;
    private final ServiceContext context;
    private final Counter swaps;
    private final Counter refused;
    private final Timer swapLatency;
    private final Timer swapLocal;
    private long polledAt; // the worker thread's: when the poll being handled returned
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Worker worker;
    private ModelTopicReader reader; // the worker thread's

    /**
     * @param initial     what to serve until a published version arrives (version 0: the untrained init)
     * @param compatible  whether a verified model fits this actor (same vocabulary and encoder); see {@code expectation}
     * @param expectation words for the refusal message when {@code compatible} says no
     * @param outputMatrix whether policies also hold the output layer as a matrix (ALL/TOP_K masks)
     */
    public KafkaVariableClient(ServiceContext context, String modelName, Optional<ModelSigner> signer,
                               ModelSnapshot initial, Predicate<ModelSnapshot> compatible, String expectation,
                               boolean outputMatrix) {
        this.context = context;
        this.outputMatrix = outputMatrix;
        this.current = new AtomicReference<>(ServingPolicy.of(initial, outputMatrix));
        this.topic = context.kafka().topic(QstreamTopic.MODEL);
        this.assembler = new ModelAssembler(modelName, signer);
        this.compatible = compatible;
        this.expectation = expectation;
        this.intake = new RecordIntake<>(Serdes.MODEL_UPDATE, new RecordValidator(ValidationLimits.defaults()),
                context.deadLetters(), null);
        Properties props = context.kafka().consumer(context.clientId("model"), null);
        // A 10 MB model is ten 1 MiB chunks: fetch them in one round trip, not one per chunk.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        this.consumer = new KafkaConsumer<>(props);
        this.swaps = Counter.builder("actor.model.swaps").description("model versions swapped in").register(context.registry());
        this.refused = Counter.builder("actor.model.refused").description("model updates refused").register(context.registry());
        this.swapLatency = Timer.builder("actor.model.swap.latency").description("model publish time to serving")
                .publishPercentiles(0.5, 0.99).register(context.registry());
        this.swapLocal = Timer.builder("actor.model.swap.local")
                .description("from the poll that brought a version's last chunk to serving it: this actor's own share of publish to serving")
                .publishPercentiles(0.5, 0.99).register(context.registry());
        Gauge.builder("actor.model.version", current, ref -> ref.get().version())
                .description("model version being served").register(context.registry());
        this.worker = Worker.named("model-client").daemon(true).joinTimeout(Duration.ofSeconds(10))
                .onStop(consumer::wakeup)
                .setUp(() -> reader = ModelTopicReader.fromBeginning(consumer, topic, Duration.ofSeconds(30)))
                .tearDown(() -> {
                    caughtUp.countDown();
                    consumer.close(Duration.ofSeconds(5));
                })
                .build(this::follow);
    }

    /** Starts following the topic; returns once every update already on it has been read (or the timeout passed). */
    public KafkaVariableClient start(Duration catchUpTimeout) throws InterruptedException {
        worker.start();
        if (!caughtUp.await(catchUpTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("model topic not read to its end within {}; serving version {} meanwhile", catchUpTimeout, current().version());
        }
        return this;
    }

    @Override
    public ServingPolicy current() {
        return current.get();
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** One poll of the topic: offers what arrived, and notes when the updates published before the start are read. */
    private void follow() {
        var records = reader.poll(Duration.ofMillis(200));
        polledAt = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            intake.accept(record).ifPresent(update -> offer(update, record));
        }
        if (caughtUp.getCount() > 0 && reader.reachedEnd()) {
            caughtUp.countDown();
            LOG.info("model topic read to its end; serving version {}", current().version());
        }
    }

    private void offer(ModelUpdate update, ConsumerRecord<byte[], byte[]> record) {
        ModelAssembler.Result result = assembler.offer(update);
        if (result instanceof ModelAssembler.Refused r) {
            refuse(record, r.version(), r.reason());
        } else if (result instanceof ModelAssembler.Complete c) {
            ModelSnapshot model = c.model();
            long serving = current().version();
            if (model.version() <= serving) {
                if (caughtUp()) {
                    refuse(record, model.version(), "version " + model.version() + " is not newer than the served " + serving);
                }
                return; // while catching up, older versions on the compacted topic are expected
            }
            if (!compatible.test(model)) {
                refuse(record, model.version(), "model does not fit this actor: " + expectation);
                return;
            }
            current.set(ServingPolicy.of(model, outputMatrix)); // built here, off the serving path
            swaps.increment();
            swapLocal.record(System.nanoTime() - polledAt, TimeUnit.NANOSECONDS);
            Instant published = c.lastChunk().getCreatedAt();
            swapLatency.record(Duration.between(published, Instant.now()).abs());
            LOG.info("serving model version {} (parent {})", model.version(), model.parentVersion());
        }
    }

    private void refuse(ConsumerRecord<byte[], byte[]> record, long version, String reason) {
        refused.increment();
        context.deadLetters().publish(record, DeadLetterReason.REFUSED_MODEL, "model version " + version + " refused: " + reason, null);
    }

    @Override
    public void close() {
        worker.close();
    }
}
