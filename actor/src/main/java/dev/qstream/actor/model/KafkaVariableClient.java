package dev.qstream.actor.model;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.transport.ModelAssembler;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.TopicFollower;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.deployment.DeploymentFollower;
import dev.qstream.runtime.deployment.DeploymentState;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Follows {@code qstream.model} and swaps verified new versions in. Reassembly, hashing, signature checks and
 * building the new weights all happen on this client's own thread, off the serving path; the swap itself is one
 * atomic reference write, so episodes in flight finish on the version they took. Refused updates (corrupt, unsigned,
 * foreign vocabulary, older) are counted, dead-lettered and logged while the current model keeps serving.
 *
 * <p>It also follows {@code qstream.deployments}. Without a gate (no decision, or FOLLOW_LATEST) the newest version
 * serves everything, as above. Under a gate it serves the champion the last decision names, and the challenger to
 * the canary share of episodes (by episode id); it keeps the weights of both (and of the newest, which may become the
 * next challenger), so a decision takes effect the moment it is read, with nothing to fetch.
 */
public final class KafkaVariableClient implements VariableClient, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaVariableClient.class);

    /** What serves now: the champion, the challenger (or null) and the state that named them. Replaced whole. */
    private record Routing(ServingPolicy champion, ServingPolicy challenger, DeploymentState state) {
    }

    private final AtomicReference<Routing> routing;
    /** Verified versions kept for routing, by version; guarded by {@code this}. */
    private final Map<Long, ServingPolicy> loaded = new HashMap<>();
    /** When each kept version was published, for the publish-to-serve latency of its first routing. */
    private final Map<Long, Instant> publishedAt = new HashMap<>();
    private final DeploymentFollower deployments;
    private final Counter deploymentWaits;
    private final boolean outputMatrix;
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
    private final TopicFollower modelTopic;

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
        ServingPolicy init = ServingPolicy.of(initial, outputMatrix);
        this.routing = new AtomicReference<>(new Routing(init, null, DeploymentState.FOLLOW_LATEST));
        loaded.put(init.version(), init);
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
        this.swaps = Counter.builder("actor.model.swaps").description("model versions swapped in").register(context.registry());
        this.refused = Counter.builder("actor.model.refused").description("model updates refused").register(context.registry());
        this.swapLatency = Timer.builder("actor.model.swap.latency").description("model publish time to serving")
                .publishPercentiles(0.5, 0.99).register(context.registry());
        this.swapLocal = Timer.builder("actor.model.swap.local")
                .description("from the poll that brought a version's last chunk to serving it: this actor's own share of publish to serving")
                .publishPercentiles(0.5, 0.99).register(context.registry());
        this.deploymentWaits = Counter.builder("actor.model.deployment.waits")
                .description("deployment decisions naming a version whose weights had not arrived yet").register(context.registry());
        Gauge.builder("actor.model.version", routing, ref -> ref.get().champion().version())
                .description("model version serving all non-canary traffic").register(context.registry());
        Gauge.builder("actor.model.challenger.version", routing, ref -> ref.get().challenger() == null ? -1 : ref.get().challenger().version())
                .description("model version serving the canary share (-1: none)").register(context.registry());
        Gauge.builder("actor.canary.fraction", routing, ref -> ref.get().challenger() == null ? 0 : ref.get().state().canaryFraction())
                .description("share of episodes routed to the challenger").register(context.registry());
        // The actors route by the log, so they are its owners: what they cannot use is dead-lettered, as refused models are.
        this.deployments = new DeploymentFollower(context.kafka(), context.clientId("deployments"), modelName, state -> reroute(),
                context.deadLetters());
        this.modelTopic = new TopicFollower("model-client", new KafkaConsumer<>(props), topic, this::follow,
                () -> LOG.info("model topic read to its end; serving version {}", current().version()));
    }

    /** Starts following the topic; returns once every update already on it has been read (or the timeout passed). */
    public KafkaVariableClient start(Duration catchUpTimeout) throws InterruptedException {
        deployments.start(catchUpTimeout);
        if (!modelTopic.start(catchUpTimeout)) {
            LOG.warn("model topic not read to its end within {}; serving version {} meanwhile", catchUpTimeout, current().version());
        }
        return this;
    }

    @Override
    public ServingPolicy current() {
        return routing.get().champion();
    }

    @Override
    public ServingPolicy policyFor(String episodeId) {
        Routing r = routing.get();
        return r.challenger() != null && r.state().routesToChallenger(episodeId) ? r.challenger() : r.champion();
    }

    /** The deployment state routing follows now. */
    public DeploymentState deployment() {
        return routing.get().state();
    }

    /** The version on canary, or -1. */
    public long challengerVersion() {
        ServingPolicy c = routing.get().challenger();
        return c == null ? -1 : c.version();
    }

    public boolean caughtUp() {
        return modelTopic.caughtUp();
    }

    /** One poll of the topic: offers what arrived. */
    private void follow(ConsumerRecords<byte[], byte[]> records) {
        polledAt = System.nanoTime();
        if (deployments.failure() != null) {
            throw new IllegalStateException(deployments.failure());
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
            intake.accept(record).ifPresent(update -> offer(update, record));
        }
    }

    private void offer(ModelUpdate update, ConsumerRecord<byte[], byte[]> record) {
        ModelAssembler.Result result = assembler.offer(update);
        if (result instanceof ModelAssembler.Refused r) {
            refuse(record, r.version(), r.reason());
        } else if (result instanceof ModelAssembler.Complete c) {
            ModelSnapshot model = c.model();
            synchronized (this) {
                if (loaded.containsKey(model.version())) {
                    return; // the champion's copy of a version already here (the gate republishes champions)
                }
            }
            long newest = newestLoaded();
            boolean gated = !deployments.state().followsLatest();
            if (model.version() <= newest && !gated) {
                if (caughtUp()) {
                    refuse(record, model.version(), "version " + model.version() + " is not newer than the served " + newest);
                }
                return; // while catching up, older versions on the compacted topic are expected
            }
            if (!compatible.test(model)) {
                refuse(record, model.version(), "model does not fit this actor: " + expectation);
                return;
            }
            ServingPolicy policy = ServingPolicy.of(model, outputMatrix); // built here, off the serving path
            synchronized (this) {
                loaded.put(model.version(), policy);
                publishedAt.put(model.version(), c.lastChunk().getCreatedAt());
            }
            reroute();
            Routing now = routing.get();
            if (now.champion() == policy || now.challenger() == policy) {
                swapLocal.record(System.nanoTime() - polledAt, TimeUnit.NANOSECONDS);
            }
        }
    }

    private synchronized long newestLoaded() {
        return loaded.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /**
     * Recomputes what serves from the kept versions and the deployment state, and forgets versions nothing names.
     * Called on the model thread (a version arrived) and the deployments thread (a decision arrived).
     */
    private synchronized void reroute() {
        DeploymentState state = deployments.state();
        Routing before = routing.get();
        long newest = newestLoaded();
        ServingPolicy champion;
        ServingPolicy challenger = null;
        if (state.followsLatest()) {
            champion = loaded.get(newest);
        } else {
            champion = loaded.get(state.champion().getAsLong());
            if (champion == null) {
                waited(); // while the topics are still being read, the weights usually come a moment later
                LOG.atLevel(caughtUp() ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.DEBUG).log("deployment names champion v{} but its weights have not arrived; v{} serves until they do",
                        state.champion().getAsLong(), before.champion().version());
                champion = before.champion();
            }
            if (state.challenger().isPresent()) {
                challenger = loaded.get(state.challenger().getAsLong());
                if (challenger == null) {
                    waited();
                    LOG.atLevel(caughtUp() ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.DEBUG).log("deployment names challenger v{} but its weights have not arrived; no canary until they do",
                            state.challenger().getAsLong());
                }
            }
        }
        Routing next = new Routing(champion, challenger, state);
        routing.set(next);
        noteFirstServing(before, champion);
        noteFirstServing(before, challenger);
        long keepChampion = champion.version();
        long keepChallenger = challenger == null ? -1 : challenger.version();
        loaded.keySet().removeIf(v -> v != keepChampion && v != keepChallenger && v != newest
                && !(state.champion().isPresent() && v == state.champion().getAsLong())
                && !(state.challenger().isPresent() && v == state.challenger().getAsLong()));
        publishedAt.keySet().retainAll(loaded.keySet());
    }

    private void waited() {
        if (caughtUp()) {
            deploymentWaits.increment();
        }
    }

    private void noteFirstServing(Routing before, ServingPolicy policy) {
        if (policy == null || policy == before.champion() || policy == before.challenger()) {
            return;
        }
        swaps.increment();
        Instant published = publishedAt.get(policy.version());
        if (published != null) {
            swapLatency.record(Duration.between(published, Instant.now()).abs());
        }
        LOG.info("serving model version {} (parent {}){}", policy.version(), policy.model().parentVersion(),
                policy == routing.get().challenger() ? " to the canary share" : "");
    }

    private void refuse(ConsumerRecord<byte[], byte[]> record, long version, String reason) {
        refused.increment();
        context.deadLetters().publish(record, DeadLetterReason.REFUSED_MODEL, "model version " + version + " refused: " + reason, null);
    }

    @Override
    public void close() {
        modelTopic.close();
        deployments.close();
    }
}
