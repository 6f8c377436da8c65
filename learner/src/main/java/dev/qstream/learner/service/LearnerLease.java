package dev.qstream.learner.service;

import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.topics.QstreamTopic;
import io.micrometer.core.instrument.Gauge;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which learner of a model is the active one: the member of the consumer group {@code <group>-lease} that is assigned
 * the model topic's single partition. Kafka's group coordinator is the referee: when the active learner dies, its
 * session times out and the partition moves to a standby, which then starts training; a learner that loses the
 * partition (a long pause, a partition from the coordinator) is told so and must stop. Nothing is read from the
 * partition (it is paused on assignment): the assignment itself is the lease.
 *
 * <p>The lease decides who starts; it does not by itself stop a paused zombie from writing. That is fenced by Kafka:
 * every learner of a model publishes with the same transactional id (a new active one's {@code initTransactions}
 * aborts the old one's transaction and refuses its later ones), and consumes {@code qstream.scored} with the same
 * static group instance id (the new member fences the old one's commits).
 */
final class LearnerLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LearnerLease.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition leased;
    private final CountDownLatch acquired = new CountDownLatch(1);
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile long epoch = -1;
    private boolean left; // the worker thread's
    private final Worker worker;

    /** @param timeout how long the coordinator waits for a silent holder before the lease moves (session timeout) */
    LearnerLease(ServiceContext context, String groupId, String instanceId, Duration timeout) {
        String topic = context.kafka().topic(QstreamTopic.MODEL);
        this.leased = new TopicPartition(topic, 0);
        Properties props = context.kafka().consumer(context.clientId("lease"), groupId + "-lease");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(Math.max(100, timeout.toMillis() / 5)));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Static membership by instance: the same instance restarted (after a crash) takes its lease back at once,
        // fencing what is left of its old self, while another instance waits out the session timeout. A clean stop
        // leaves the group explicitly (close, below), so a standby takes over at once then too.
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        // Sticky and cooperative: a standby joining (or leaving) never moves the partition away from a live holder.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        this.consumer = new KafkaConsumer<>(props);
        Gauge.builder("learner.lease.held", held, h -> h.get() ? 1 : 0)
                .description("1 while this learner is the active one of its model").register(context.registry());
        this.worker = Worker.named("learner-lease").daemon(true).onStop(consumer::wakeup)
                .setUp(() -> consumer.subscribe(List.of(topic), new Listener()))
                .tearDown(() -> consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(5))))
                .build(this::pollOnce);
    }

    /** Keeps the membership alive; once the lease is lost, leaves the group for good (no rejoining to take it back). */
    private void pollOnce() throws InterruptedException {
        if (lost.get()) {
            if (!left) {
                consumer.unsubscribe();
                left = true;
            }
            Thread.sleep(200);
            return;
        }
        consumer.poll(Duration.ofMillis(200));
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.contains(leased)) {
                consumer.pause(List.of(leased));
                // The group generation only grows: the epoch of a later active learner is always higher.
                epoch = Math.max(1, consumer.groupMetadata().generationId());
                held.set(true);
                LOG.info("learner lease acquired (epoch {}): this learner is the active one", epoch);
                acquired.countDown();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release(partitions, "revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions, "lost");
        }

        private void release(Collection<TopicPartition> partitions, String how) {
            if (partitions.contains(leased) && held.getAndSet(false)) {
                lost.set(true);
                LOG.error("learner lease {}: another learner may be active now; this one stops", how);
            }
        }
    }

    /** Joins the lease group (returns at once). */
    LearnerLease start() {
        worker.start();
        return this;
    }

    /** Waits until this learner holds the lease; false when {@code timeout} passed first. */
    boolean awaitAcquired(Duration timeout) throws InterruptedException {
        return acquired.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean held() {
        return held.get();
    }

    /** The lease generation this learner became active in; -1 before that. */
    long epoch() {
        return epoch;
    }

    /** Why this learner must stop, or null while the lease is held (or not yet acquired). */
    String failure() {
        if (lost.get()) {
            return "lost the learner lease (another learner took over)";
        }
        Throwable f = worker.failure();
        return f == null ? null : "learner lease failed: " + f;
    }

    /** Leaves the group: a standby takes over without waiting for the session to time out. */
    @Override
    public void close() {
        worker.close();
    }
}
