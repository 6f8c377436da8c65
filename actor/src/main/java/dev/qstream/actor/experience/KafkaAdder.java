package dev.qstream.actor.experience;

import dev.qstream.runtime.kafka.BufferedProducer;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes transitions keyed by episode id (so an episode's steps stay on one partition, in order) and episode
 * summaries to {@code qstream.generations}, through a {@link BufferedProducer} (idempotent, acks=all, batched).
 * Topic traffic waits for room when Kafka is away ({@code blockWhenFull}); HTTP traffic is refused at once with a
 * clear back-pressure error instead. A failed send is remembered and raised on the next call, so the prompt that
 * produced it is not committed as done.
 */
public final class KafkaAdder implements Adder {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAdder.class);

    private final BufferedProducer producer;
    private final boolean blockWhenFull;
    private final String transitionsTopic;
    private final String generationsTopic;
    private final Counter transitions;
    private final Counter episodes;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public KafkaAdder(BufferedProducer producer, boolean blockWhenFull, String transitionsTopic, String generationsTopic,
                      MeterRegistry registry) {
        this.producer = producer;
        this.blockWhenFull = blockWhenFull;
        this.transitionsTopic = transitionsTopic;
        this.generationsTopic = generationsTopic;
        this.transitions = Counter.builder("actor.transitions").description("transitions emitted").register(registry);
        this.episodes = Counter.builder("actor.episodes").description("episodes finished").register(registry);
    }

    @Override
    public void add(Transition transition) {
        throwIfFailed();
        send(new ProducerRecord<>(transitionsTopic, key(transition.getEpisodeId()), Serdes.TRANSITION.encode(transition)));
        transitions.increment();
    }

    @Override
    public void episodeEnded(Episode episode) {
        throwIfFailed();
        send(new ProducerRecord<>(generationsTopic, key(episode.getEpisodeId().toString()), Serdes.EPISODE.encode(episode)));
        episodes.increment();
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<RecordMetadata> result;
        if (blockWhenFull) {
            try {
                result = producer.put(record);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka to take a record", e);
            }
        } else {
            result = producer.offer(record);
        }
        result.whenComplete((m, e) -> {
            if (e != null && failure.compareAndSet(null, e)) {
                LOG.error("producing experience failed: {}", e.getMessage());
            }
        });
    }

    @Override
    public void flush() {
        try {
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throwIfFailed();
    }

    private void throwIfFailed() {
        Throwable e = failure.getAndSet(null);
        if (e != null) {
            throw new IllegalStateException("an earlier transition could not be written: " + e.getMessage(), e);
        }
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }
}
