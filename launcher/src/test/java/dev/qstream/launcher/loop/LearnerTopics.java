package dev.qstream.launcher.loop;

import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.replay.ScoredSteps;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/** A learner's topics seen from outside: random scored episodes in, published versions and end offsets out. */
final class LearnerTopics {

    private LearnerTopics() {
    }

    static void produce(KafkaSettings settings, Set<String> produced, AtomicBoolean producing) {
        Random random = new Random(5);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("recovery-producer"))) {
            while (producing.get()) {
                int length = 1 + random.nextInt(6);
                int[] actions = random.ints(length, Vocabulary.SPECIAL_TOKENS, 23).toArray();
                double[] rewards = random.doubles(length).toArray();
                UUID id = UUID.randomUUID();
                List<ScoredTransition> steps = ScoredSteps.episode(id, new int[]{5, 6}, actions, rewards, null);
                // Every other episode as per-step records, as a scorer from before ScoredEpisode wrote them: the
                // learner reads both from one topic (a rolling upgrade), and recovers both the same way.
                if (random.nextBoolean()) {
                    producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.SCORED), id.toString().getBytes(StandardCharsets.UTF_8),
                            Serdes.SCORED_EPISODE.encode(ScoredEpisodeSteps.pack(steps))));
                } else {
                    for (ScoredTransition s : steps) {
                        producer.send(new ProducerRecord<>(settings.topic(QstreamTopic.SCORED), id.toString().getBytes(StandardCharsets.UTF_8),
                                Serdes.SCORED_TRANSITION.encode(s)));
                    }
                }
                synchronized (produced) {
                    for (ScoredTransition s : steps) {
                        produced.add(id + "#" + s.getTransition().getStep());
                    }
                }
                producer.flush();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, Long> endOffsets(KafkaSettings settings, int partitions) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer("end-reader", null))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(new TopicPartition(settings.topic(QstreamTopic.SCORED), p));
            }
            Map<String, Long> end = new HashMap<>();
            c.endOffsets(parts).forEach((tp, o) -> end.put(Checkpoint.positionKey(tp.topic(), tp.partition()), o));
            return end;
        }
    }

    static long maxVersion(KafkaSettings settings) {
        return versions(settings).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Versions on the model topic in publication order (chunk 0 of each). */
    static List<Long> versions(KafkaSettings settings) {
        List<Long> versions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer("model-reader", null))) {
            TopicPartition tp = new TopicPartition(settings.topic(QstreamTopic.MODEL), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 10_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    ModelUpdate u = Serdes.MODEL_UPDATE.decode(r.value());
                    if (u.getChunkIndex() == 0) {
                        versions.add(u.getVersion());
                    }
                }
            }
        }
        return versions;
    }
}
