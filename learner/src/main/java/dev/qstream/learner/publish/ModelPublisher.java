package dev.qstream.learner.publish;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.transport.ModelChunker;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.PartitionOffset;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiFunction;

/**
 * Publishes a model version on {@code qstream.model}: all its chunks in one Kafka transaction, so a
 * {@code read_committed} actor sees a version whole or not at all, even if the learner dies mid-publish.
 */
public final class ModelPublisher implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String deploymentsTopic;
    private final String modelName;
    private final Optional<ModelSigner> signer;

    public ModelPublisher(KafkaSettings settings, String transactionalId, String modelName, Optional<ModelSigner> signer) {
        Properties p = settings.producer(transactionalId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"); // weights do not compress
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p);
        this.topic = settings.topic(QstreamTopic.MODEL);
        this.deploymentsTopic = settings.topic(QstreamTopic.DEPLOYMENTS);
        this.modelName = modelName;
        this.signer = signer;
        producer.initTransactions();
    }

    /** Publishes and waits for the commit; returns the number of chunks. */
    public int publish(ModelSnapshot model, List<PartitionOffset> lineage, Map<String, Double> metrics) {
        return publish(model, lineage, metrics, ModelChunker::key);
    }

    /**
     * Publishes a copy of the champion under the champion's keys (see {@link ModelChunker#championKey}), so actors
     * that start later still find its weights after compaction removed its first copy.
     */
    public int publishChampionCopy(ModelSnapshot model, List<PartitionOffset> lineage, Map<String, Double> metrics) {
        return publish(model, lineage, metrics, ModelChunker::championKey);
    }

    private int publish(ModelSnapshot model, List<PartitionOffset> lineage, Map<String, Double> metrics,
                        BiFunction<String, Integer, String> keys) {
        List<ModelUpdate> chunks = ModelChunker.chunks(modelName, model, signer, lineage, metrics, ModelChunker.MAX_CHUNK_BYTES);
        producer.beginTransaction();
        try {
            for (ModelUpdate chunk : chunks) {
                byte[] key = keys.apply(modelName, chunk.getChunkIndex()).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, 0, key, Serdes.MODEL_UPDATE.encode(chunk)));
            }
            producer.commitTransaction();
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // a fenced or closed producer cannot abort; the broker aborts the transaction on timeout
            }
            throw e;
        }
        return chunks.size();
    }

    /**
     * Appends a deployment decision to {@code qstream.deployments} in a transaction of this producer, so that only
     * the learner holding the transactional id (the active one) can: a fenced one gets an exception, not a record.
     */
    public void recordDecision(DeploymentDecision decision) {
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(deploymentsTopic, decision.getModel().getBytes(StandardCharsets.UTF_8),
                    Serdes.DEPLOYMENT_DECISION.encode(decision)));
            producer.commitTransaction();
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // fenced or closed: nothing to abort here
            }
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
