package dev.qstream.evaluator.ope;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads {@code qstream.scored} once over a time range, {@code read_committed} (the scorer writes exactly once, in
 * transactions), without a consumer group: it commits nothing and disturbs no one. Complete episodes go to a sink;
 * incomplete ones are counted by the {@link EpisodeGrouper}. Records that do not decode or break the record rules,
 * and steps logged with a behaviour probability of 0 (no importance ratio exists for them), are counted and left
 * out: the scorer already dead-letters what it cannot use, so this reader only reports them.
 */
public final class ScoredEpisodeReader {

    /** What one read saw. */
    public record ReadCounts(long records, long badRecords, long incompleteEpisodes) {
    }

    private static final RecordValidator VALIDATOR = new RecordValidator(ValidationLimits.defaults());

    private ScoredEpisodeReader() {
    }

    /**
     * @param sink receives each complete episode, its steps in order
     * @throws IllegalStateException when the topic does not exist or cannot be read within {@code timeout}
     */
    public static ReadCounts read(KafkaSettings settings, String clientId, TimeRange range, Duration timeout,
                                  Consumer<List<ScoredTransition>> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String topic = settings.topic(QstreamTopic.SCORED);
        EpisodeGrouper grouper = new EpisodeGrouper(sink);
        long records = 0;
        long bad = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(clientId, null))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (is the loop running on this cluster?)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> start = range.from().map(t -> offsetsAt(consumer, partitions, t, end, timeout))
                    .orElseGet(() -> consumer.beginningOffsets(partitions, timeout));
            Map<TopicPartition, Long> stop = range.to().map(t -> offsetsAt(consumer, partitions, t, end, timeout))
                    .orElse(end);
            start.forEach(consumer::seek);
            while (true) {
                List<TopicPartition> finished = partitions.stream().filter(tp -> consumer.position(tp) >= stop.get(tp)).toList();
                if (finished.size() == partitions.size()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " over " + range + " within " + timeout.toSeconds() + " s");
                }
                consumer.pause(finished); // nothing past a partition's stop offset is wanted
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= stop.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    records++;
                    List<ScoredTransition> steps = usable(r.value());
                    if (steps == null) {
                        bad++;
                    } else {
                        steps.forEach(grouper::add);
                    }
                }
            }
        }
        grouper.finish();
        return new ReadCounts(records, bad, grouper.incomplete());
    }

    /**
     * The record's steps (a whole episode, or one step of a record from an older scorer), or null when it does not
     * decode, breaks a rule, or has a step without a usable behaviour probability.
     */
    private static List<ScoredTransition> usable(byte[] value) {
        try {
            SpecificRecordBase record = ScoredRecords.decode(value);
            if (!VALIDATOR.validate(record).isEmpty()) {
                return null;
            }
            List<ScoredTransition> steps = ScoredRecords.steps(record);
            for (ScoredTransition s : steps) {
                if (!(s.getTransition().getBehaviourProbability() > 0)) {
                    return null;
                }
            }
            return steps;
        } catch (AvroDecodeException e) {
            return null;
        }
    }

    /** Per partition, the first offset at or after {@code time}; the end where no record is that late. */
    private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
                                                       Instant time, Map<TopicPartition, Long> end, Duration timeout) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            offsets.put(tp, at == null ? end.get(tp) : Math.min(at.offset(), end.get(tp)));
        }
        return offsets;
    }
}
