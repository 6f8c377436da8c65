package dev.qstream.runtime.deployment;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicFromBeginning;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads and appends {@code qstream.deployments}, the log of deployment decisions. One partition keeps them in the
 * order they were taken; every reader replays it from the beginning (it grows by a few records an hour).
 */
public final class DeploymentLog {

    private DeploymentLog() {
    }

    /** Every decision about {@code modelName} on the topic now, oldest first (undecodable records are skipped). */
    public static List<DeploymentDecision> history(KafkaSettings settings, String clientId, String modelName, Duration timeout) {
        List<DeploymentDecision> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(clientId, null))) {
            TopicFromBeginning.of(consumer, settings.topic(QstreamTopic.DEPLOYMENTS), timeout).readToEnd(timeout,
                    record -> decode(record).filter(d -> d.getModel().equals(modelName)).ifPresent(out::add));
        }
        return out;
    }

    /** The state the log leads to now. */
    public static DeploymentState current(KafkaSettings settings, String clientId, String modelName, Duration timeout) {
        List<DeploymentDecision> all = history(settings, clientId, modelName, timeout);
        return all.isEmpty() ? DeploymentState.FOLLOW_LATEST : DeploymentState.after(all.get(all.size() - 1));
    }

    /** A record of the topic as a decision, or empty when it cannot be decoded (readers skip what they cannot read). */
    public static Optional<DeploymentDecision> decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Serdes.DEPLOYMENT_DECISION.decode(record.value()));
        } catch (AvroDecodeException e) {
            return Optional.empty();
        }
    }

    /** Appends one decision and waits until the broker has it (acks=all, idempotent). */
    public static void append(KafkaProducer<byte[], byte[]> producer, KafkaSettings settings, DeploymentDecision decision,
                              Duration timeout) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.topic(QstreamTopic.DEPLOYMENTS),
                decision.getModel().getBytes(StandardCharsets.UTF_8), Serdes.DEPLOYMENT_DECISION.encode(decision));
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording a deployment decision", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not record the deployment decision on "
                    + settings.topic(QstreamTopic.DEPLOYMENTS) + ": " + e, e);
        }
    }
}
