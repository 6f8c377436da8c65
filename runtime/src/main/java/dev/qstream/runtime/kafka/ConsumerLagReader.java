package dev.qstream.runtime.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Consumer lag per group from the Admin API: the consumer groups ({@code listGroups} for the consumer type, the
 * non-deprecated form of {@code listConsumerGroups}), each group's committed offsets, and the partitions' latest
 * offsets. Latest offsets are asked with read_committed isolation (the last stable offset), because the scorer and
 * learner write transactionally: with the plain high watermark, a caught-up group would still show a lag of one
 * commit marker per transaction. Only partitions of this deployment's topics (the layout's prefix) count.
 */
public final class ConsumerLagReader implements AutoCloseable {

    private final Admin admin;
    private final String topicPrefix;

    public ConsumerLagReader(KafkaSettings settings, String clientId) {
        this.admin = Admin.create(settings.admin(clientId));
        this.topicPrefix = settings.layout().prefix() + ".";
    }

    /**
     * Reads every group's lag now.
     *
     * @throws IllegalStateException when the cluster does not answer within {@code timeout}
     */
    public List<GroupLag> read(Duration timeout) {
        long ms = timeout.toMillis();
        try {
            Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
            for (GroupListing group : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(ms, TimeUnit.MILLISECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group.groupId())
                        .partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS);
                Map<TopicPartition, Long> ours = new HashMap<>();
                offsets.forEach((tp, om) -> {
                    if (om != null && tp.topic().startsWith(topicPrefix)) {
                        ours.put(tp, om.offset());
                    }
                });
                if (!ours.isEmpty()) {
                    committed.put(group.groupId(), ours);
                }
            }
            Set<TopicPartition> partitions = new HashSet<>();
            committed.values().forEach(m -> partitions.addAll(m.keySet()));
            return compute(committed, latest(partitions, ms));
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw failure("consumer lag", e);
        }
    }

    /**
     * Each topic's total latest offset (last stable offset, summed over its partitions): what a group that has never
     * committed, and will read from the earliest offset, still has to consume.
     *
     * @throws IllegalStateException when the cluster does not answer within {@code timeout}
     */
    public Map<String, Long> endOffsets(Set<String> topics, Duration timeout) {
        long ms = timeout.toMillis();
        try {
            Set<TopicPartition> partitions = new HashSet<>();
            admin.describeTopics(topics).allTopicNames().get(ms, TimeUnit.MILLISECONDS).forEach((name, description) ->
                    description.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
            Map<String, Long> ends = new TreeMap<>();
            topics.forEach(t -> ends.put(t, 0L));
            latest(partitions, ms).forEach((tp, offset) -> ends.merge(tp.topic(), Math.max(0, offset), Long::sum));
            return ends;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw failure("end offsets", e);
        }
    }

    /** The partitions' latest offsets, read_committed (the last stable offset; see the class comment). */
    private Map<TopicPartition, Long> latest(Set<TopicPartition> partitions, long ms)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (partitions.isEmpty()) {
            return ends;
        }
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
        admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(ms, TimeUnit.MILLISECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** An admin call that failed or was interrupted, as the exception callers get (with the cause's message). */
    private static IllegalStateException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while reading " + what, e);
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IllegalStateException("could not read " + what + ": " + cause.getMessage(), cause);
    }

    /**
     * Lag per group from committed and latest offsets. A partition without a latest offset is left out; a committed
     * offset ahead of the latest one (possible for an instant while offsets move) counts as no lag, never negative.
     */
    public static List<GroupLag> compute(Map<String, Map<TopicPartition, Long>> committedByGroup,
                                         Map<TopicPartition, Long> latest) {
        List<GroupLag> out = new ArrayList<>();
        committedByGroup.forEach((group, committed) -> {
            Map<String, Long> byTopic = new TreeMap<>();
            long total = 0;
            int partitions = 0;
            for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
                Long end = latest.get(e.getKey());
                if (end == null) {
                    continue;
                }
                long lag = Math.max(0, end - e.getValue());
                byTopic.merge(e.getKey().topic(), lag, Long::sum);
                total += lag;
                partitions++;
            }
            if (partitions > 0) {
                out.add(new GroupLag(group, total, byTopic, partitions));
            }
        });
        out.sort(Comparator.comparing(GroupLag::group));
        return out;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
