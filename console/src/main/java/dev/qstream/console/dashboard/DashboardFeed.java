package dev.qstream.console.dashboard;

import dev.qstream.console.telemetry.LoopTelemetry;
import dev.qstream.console.telemetry.StartPosition;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.deadletter.DeadLetterPublisher;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's reader: one consumer thread that follows the metrics, generations, model and dead-letter topics
 * into the {@link LoopTelemetry} aggregators, starting {@code history} back (the model topic: its last records).
 *
 * <p>The dashboard is the main consumer of metrics and generations, so a record there that does not decode or has
 * the wrong key goes to the dead-letter topic through {@link RecordIntake}, once (see {@link DeadLetterFrontier}).
 * The model topic belongs to the actors and the dead-letter topic is the end of the line: bad records there are
 * only skipped, since their own consumers already wrote (or cannot write) the dead letter.
 */
final class DashboardFeed implements AutoCloseable {

    static final int MODEL_TAIL_RECORDS = 32;
    private static final long COMMIT_EVERY_MILLIS = 5_000;

    private final KafkaSettings settings;
    private final LoopTelemetry telemetry;
    private final Duration history;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordIntake<MetricEvent> metricsIntake;
    private final RecordIntake<Episode> generationsIntake;
    private final Worker worker;
    private volatile boolean caughtUp;
    private volatile boolean wokenUp;
    private DeadLetterFrontier frontier; // the worker thread's, like endsAtStart and nextCommit
    private Map<TopicPartition, Long> endsAtStart;
    private long nextCommit;

    DashboardFeed(KafkaSettings settings, String groupId, String clientId, LoopTelemetry telemetry,
                  DeadLetterPublisher deadLetters, Duration history) {
        this.settings = settings;
        this.telemetry = telemetry;
        this.history = history;
        this.consumer = new KafkaConsumer<>(settings.consumer(clientId, groupId));
        RecordValidator validator = new RecordValidator(ValidationLimits.defaults());
        this.metricsIntake = new RecordIntake<>(Serdes.METRIC_EVENT, validator, deadLetters, MetricEvent::getSource);
        this.generationsIntake = new RecordIntake<>(Serdes.EPISODE, validator, deadLetters, e -> e.getEpisodeId().toString());
        this.worker = Worker.named("dashboard-feed").daemon(true).setUp(this::assign).tearDown(this::finish)
                .build(this::feedNext);
    }

    DashboardFeed start() {
        worker.start();
        return this;
    }

    /** True once the history that existed at start has been read. */
    boolean caughtUp() {
        return caughtUp;
    }

    /** Why the feed stopped, or null while it runs. */
    String failure() {
        Throwable f = worker.failure();
        return f == null ? null : f.toString();
    }

    private void assign() {
        List<TopicPartition> judged = new ArrayList<>();
        List<TopicPartition> all = new ArrayList<>();
        StartPosition since = StartPosition.since(Instant.now().minus(history));
        for (QstreamTopic topic : LoopTelemetry.TOPICS) {
            List<TopicPartition> partitions = partitions(topic);
            all.addAll(partitions);
            if (topic == QstreamTopic.METRICS || topic == QstreamTopic.GENERATIONS) {
                judged.addAll(partitions);
            }
        }
        consumer.assign(all);
        for (QstreamTopic topic : LoopTelemetry.TOPICS) {
            String name = settings.topic(topic);
            List<TopicPartition> partitions = all.stream().filter(tp -> tp.topic().equals(name)).toList();
            // Deployments from the beginning: the state is the last decision, however old (a few records an hour).
            StartPosition start = topic == QstreamTopic.MODEL ? StartPosition.lastRecords(MODEL_TAIL_RECORDS)
                    : topic == QstreamTopic.DEPLOYMENTS ? StartPosition.lastRecords(LoopTelemetry.DEPLOYMENT_EVENTS) : since;
            start.apply(consumer, partitions, Duration.ofSeconds(30));
        }
        frontier = new DeadLetterFrontier(consumer, judged, Duration.ofSeconds(30));
        endsAtStart = consumer.endOffsets(all, Duration.ofSeconds(30));
        nextCommit = System.currentTimeMillis() + COMMIT_EVERY_MILLIS;
    }

    private void feedNext() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
            route(r, frontier);
        }
        if (!caughtUp) {
            caughtUp = endsAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        }
        if (System.currentTimeMillis() >= nextCommit) {
            frontier.commitPositions();
            nextCommit = System.currentTimeMillis() + COMMIT_EVERY_MILLIS;
        }
    }

    /** Commits the frontier when the loop ended as asked (not woken up, not failed), then closes the consumer. */
    private void finish() {
        try {
            if (!wokenUp && worker.failure() == null && frontier != null) {
                frontier.commitPositions();
            }
        } catch (WakeupException e) {
            // close gave up waiting for this commit
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TopicPartition> partitions(QstreamTopic topic) {
        String name = settings.topic(topic);
        List<PartitionInfo> infos = consumer.partitionsFor(name, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + name + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(name, p.partition())).toList();
    }

    private void route(ConsumerRecord<byte[], byte[]> r, DeadLetterFrontier frontier) {
        QstreamTopic topic = telemetry.topicOf(r.topic());
        if (topic == null) {
            return;
        }
        boolean owned = topic == QstreamTopic.METRICS || topic == QstreamTopic.GENERATIONS;
        if (!owned || frontier.alreadyJudged(r.topic(), r.partition(), r.offset())) {
            telemetry.offerQuietly(topic, r.value());
            return;
        }
        Optional<?> value = topic == QstreamTopic.METRICS ? metricsIntake.accept(r) : generationsIntake.accept(r);
        value.ifPresent(v -> telemetry.feed(topic, v));
    }

    @Override
    public void close() {
        worker.stop(); // the loop sees it within one poll and commits its frontier on the way out
        if (!worker.join(Duration.ofSeconds(5))) {
            wokenUp = true;
            consumer.wakeup();
        }
        worker.close();
    }
}
