package dev.qstream.actor.experience;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes transitions keyed by episode id (so an episode's steps stay on one partition, in order) with an
 * idempotent, acks=all, batched producer, and episode summaries to {@code qstream.generations}. A failed send is
 * remembered and raised on the next call, so the prompt that produced it is not committed as done.
 */
public final class KafkaAdder implements Adder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAdder.class);

    private final Producer<byte[], byte[]> producer;
    private final String transitionsTopic;
    private final String generationsTopic;
    private final Counter transitions;
    private final Counter episodes;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public KafkaAdder(KafkaSettings settings, String clientId, MeterRegistry registry) {
        this.producer = new KafkaProducer<>(settings.producer(clientId));
        this.transitionsTopic = settings.topic(QstreamTopic.TRANSITIONS);
        this.generationsTopic = settings.topic(QstreamTopic.GENERATIONS);
        this.transitions = Counter.builder("actor.transitions").description("transitions emitted").register(registry);
        this.episodes = Counter.builder("actor.episodes").description("episodes finished").register(registry);
    }

    @Override
    public void add(Transition transition) {
        throwIfFailed();
        producer.send(new ProducerRecord<>(transitionsTopic, key(transition.getEpisodeId()),
                Serdes.TRANSITION.encode(transition)), this::onCompletion);
        transitions.increment();
    }

    @Override
    public void episodeEnded(Episode episode) {
        throwIfFailed();
        producer.send(new ProducerRecord<>(generationsTopic, key(episode.getEpisodeId().toString()),
                Serdes.EPISODE.encode(episode)), this::onCompletion);
        episodes.increment();
    }

    @Override
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    private void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
        if (exception != null && failure.compareAndSet(null, exception)) {
            LOG.error("producing experience failed: {}", exception.getMessage());
        }
    }

    private void throwIfFailed() {
        Exception e = failure.getAndSet(null);
        if (e != null) {
            throw new IllegalStateException("an earlier transition could not be written: " + e.getMessage(), e);
        }
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
