package dev.qstream.learner.publish;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.transport.ModelAssembler;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;

/** Reads the model topic once to its end and returns the newest valid version of a model (resuming, evaluation). */
public final class PublishedModels {

    private PublishedModels() {
    }

    public static Optional<ModelSnapshot> newest(KafkaSettings settings, String clientId, String modelName,
                                                 Optional<ModelSigner> signer, Duration timeout) {
        return newest(settings, clientId, modelName, signer, timeout, v -> true);
    }

    /** The newest valid version among those {@code wanted} accepts (e.g. one exact version). */
    public static Optional<ModelSnapshot> newest(KafkaSettings settings, String clientId, String modelName,
                                                 Optional<ModelSigner> signer, Duration timeout,
                                                 LongPredicate wanted) {
        String topic = settings.topic(QstreamTopic.MODEL);
        ModelAssembler assembler = new ModelAssembler(modelName, signer);
        ModelSnapshot newest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(clientId, null))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ModelUpdate update;
                    try {
                        update = Serdes.MODEL_UPDATE.decode(record.value());
                    } catch (AvroDecodeException e) {
                        continue; // actors dead-letter these; the learner only looks for its own last version
                    }
                    if (assembler.offer(update) instanceof ModelAssembler.Complete c && wanted.test(c.model().version())
                            && (newest == null || c.model().version() > newest.version())) {
                        newest = c.model();
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
