package dev.qstream.runtime.deployment;

import dev.qstream.runtime.deadletter.DeadLetterPublisher;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicFollower;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Follows {@code qstream.deployments} on a thread of its own (a consumer with no group, reading from the
 * beginning), keeps the current {@link DeploymentState} and tells a listener when a decision changes it. Actors route
 * by it, the learner's gate acts on it (its own decisions included, so operator overrides and its own take effect
 * the same way, in log order).
 */
public final class DeploymentFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentFollower.class);

    private final String modelName;
    private final String topic;
    private final AtomicReference<DeploymentState> state = new AtomicReference<>(DeploymentState.FOLLOW_LATEST);
    private final Consumer<DeploymentState> listener;
    private final TopicFollower follower;
    private final RecordIntake<DeploymentDecision> intake; // null: skip bad records without dead-lettering

    /** A follower that skips bad records quietly (another reader dead-letters them). */
    public DeploymentFollower(KafkaSettings settings, String clientId, String modelName, Consumer<DeploymentState> listener) {
        this(settings, clientId, modelName, listener, null);
    }

    /**
     * @param listener    told (on the follower's thread) of every decision read, after the state took it
     * @param deadLetters where records that do not decode, do not validate, or carry another key than their model go,
     *                    with the reason; null = skip them with a log line (a reader that is not the topic's owner)
     */
    public DeploymentFollower(KafkaSettings settings, String clientId, String modelName, Consumer<DeploymentState> listener,
                              DeadLetterPublisher deadLetters) {
        this.modelName = modelName;
        this.intake = deadLetters == null ? null : new RecordIntake<>(Serdes.DEPLOYMENT_DECISION,
                new RecordValidator(ValidationLimits.defaults()), deadLetters, DeploymentDecision::getModel);
        this.listener = listener;
        this.topic = settings.topic(QstreamTopic.DEPLOYMENTS);
        this.follower = new TopicFollower("deployments", new KafkaConsumer<>(settings.consumer(clientId, null)), topic,
                this::follow, () -> LOG.info("deployments read to the end: {}", state.get()));
    }

    /** Starts following; returns once the decisions already on the topic are read (or the timeout passed). */
    public DeploymentFollower start(Duration catchUpTimeout) throws InterruptedException {
        if (!follower.start(catchUpTimeout)) {
            LOG.warn("{} not read to its end within {}; routing as '{}' meanwhile", topic, catchUpTimeout, state.get());
        }
        return this;
    }

    public DeploymentState state() {
        return state.get();
    }

    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /** Why following stopped, or null while it runs. */
    public String failure() {
        Throwable f = follower.failure();
        return f == null ? null : "following " + topic + " failed: " + f;
    }

    private void follow(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Optional<DeploymentDecision> decision = intake != null ? intake.accept(record) : DeploymentLog.decode(record);
            decision.filter(d -> d.getModel().equals(modelName)).ifPresentOrElse(this::apply,
                    () -> LOG.debug("skipped a record of {} at offset {} (another model's, or bad)", topic, record.offset()));
        }
    }

    private void apply(DeploymentDecision decision) {
        DeploymentState next;
        try {
            next = DeploymentState.after(decision);
        } catch (IllegalArgumentException e) {
            LOG.error("deployment decision at {} not applied: {}", decision.getDecidedAt(), e.getMessage());
            return;
        }
        state.set(next);
        if (caughtUp()) {
            LOG.info("deployment: {} {} by {} ({}): {}", decision.getAction(), decision.getSubjectVersion(),
                    decision.getDecidedBy(), decision.getReason(), next);
        }
        listener.accept(next);
    }

    @Override
    public void close() {
        follower.close();
    }
}
