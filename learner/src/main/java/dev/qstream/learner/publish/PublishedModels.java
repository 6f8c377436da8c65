package dev.qstream.learner.publish;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.transport.ModelAssembler;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.TopicFromBeginning;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/** Reads the model topic once to its end and returns the newest valid version of a model (resuming, evaluation). */
public final class PublishedModels {

    private PublishedModels() {
    }

    public static Optional<ModelSnapshot> newest(KafkaSettings settings, String clientId, String modelName,
                                                 Optional<ModelSigner> signer, Duration timeout) {
        return newest(settings, clientId, modelName, signer, timeout, v -> true);
    }

    /**
     * The valid versions among {@code wanted} found on the topic, each with its last chunk (lineage and training
     * metrics); a version on the topic twice (its first copy and the champion's) is returned once.
     */
    public static Map<Long, ModelAssembler.Complete> versions(KafkaSettings settings, String clientId, String modelName,
                                                              Optional<ModelSigner> signer, Duration timeout, Set<Long> wanted) {
        Map<Long, ModelAssembler.Complete> found = new HashMap<>();
        if (!wanted.isEmpty()) {
            readComplete(settings, clientId, modelName, signer, timeout, c -> {
                if (wanted.contains(c.model().version())) {
                    found.put(c.model().version(), c);
                }
            });
        }
        return found;
    }

    /** The newest valid version among those {@code wanted} accepts (e.g. one exact version). */
    public static Optional<ModelSnapshot> newest(KafkaSettings settings, String clientId, String modelName,
                                                 Optional<ModelSigner> signer, Duration timeout,
                                                 LongPredicate wanted) {
        AtomicReference<ModelSnapshot> newest = new AtomicReference<>();
        readComplete(settings, clientId, modelName, signer, timeout, c -> {
            if (wanted.test(c.model().version()) && (newest.get() == null || c.model().version() > newest.get().version())) {
                newest.set(c.model());
            }
        });
        return Optional.ofNullable(newest.get());
    }

    /** Reads the model topic to its end and hands over every whole, verified version of the model. */
    private static void readComplete(KafkaSettings settings, String clientId, String modelName, Optional<ModelSigner> signer,
                                     Duration timeout, Consumer<ModelAssembler.Complete> found) {
        ModelAssembler assembler = new ModelAssembler(modelName, signer);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(clientId, null))) {
            TopicFromBeginning.of(consumer, settings.topic(QstreamTopic.MODEL), timeout).readToEnd(timeout, record -> {
                ModelUpdate update;
                try {
                    update = Serdes.MODEL_UPDATE.decode(record.value());
                } catch (AvroDecodeException e) {
                    return; // actors dead-letter these; here only whole valid versions matter
                }
                if (assembler.offer(update) instanceof ModelAssembler.Complete c) {
                    found.accept(c);
                }
            });
        }
    }
}
