package dev.qstream.learner.service;

import dev.qstream.learner.checkpoint.Checkpoint;
import dev.qstream.learner.deploy.TrialTally;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.learner.replay.NStepAssembler;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.deadletter.RecordIntake;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The learner's consumer thread (Acme's Adder, on the receiving side): reads {@code qstream.scored} into replay
 * through the n-step assembler and applies {@code qstream.rewards.late} corrections to what replay holds. It tracks
 * its position in every partition so that a checkpoint can say exactly which records it reflects, and commits
 * offsets only for those (when checkpoints are on). Pauses its partitions while the trainer is too far behind.
 */
final class Ingestor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);
    private static final int MAX_PENDING_CORRECTIONS = 10_000;

    private final ServiceContext context;
    private final LearnerConfig config;
    private final ReplayBuffer replay;
    private final NStepAssembler assembler;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordIntake<ScoredEpisode> scoredIntake;
    private final RecordIntake<ScoredTransition> singleStepIntake;
    private final RecordIntake<RewardCorrection> correctionIntake;
    private final String scoredTopic;
    private final String lateTopic;
    private final Map<String, Long> startPositions;
    private final Map<String, Long> positions = new HashMap<>();
    private final Map<UUID, List<PendingCorrection>> pendingCorrections = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final TrialTally trial;
    private final AtomicReference<Map<String, Long>> commitRequest = new AtomicReference<>();
    private final BooleanSupplier shouldPause;
    private final boolean commitEveryPoll;
    private final Counter correctionsApplied;
    private final Counter correctionsUnmatched;
    private final Worker worker;
    private volatile boolean paused;

    private record PendingCorrection(RewardCorrection correction, int partition, long offset) {
    }

    /**
     * @param trial where finished episodes are counted for the promotion gate; null without a gate
     */
    Ingestor(ServiceContext context, LearnerConfig config, ReplayBuffer replay, Map<String, Long> startPositions,
             BooleanSupplier shouldPause, TrialTally trial) {
        this.trial = trial;
        this.context = context;
        this.config = config;
        this.replay = replay;
        this.assembler = new NStepAssembler(config.dqn().nStep(), config.dqn().gamma(), 10_000);
        this.scoredTopic = context.kafka().topic(QstreamTopic.SCORED);
        this.lateTopic = context.kafka().topic(QstreamTopic.REWARDS_LATE);
        this.startPositions = Map.copyOf(startPositions);
        this.shouldPause = shouldPause;
        this.commitEveryPoll = config.checkpointDir() == null;
        RecordValidator validator = new RecordValidator(ValidationLimits.withVocabulary(config.vocabularySize()));
        this.scoredIntake = new RecordIntake<>(Serdes.SCORED_EPISODE, validator, context.deadLetters(),
                ScoredEpisode::getEpisodeId);
        // Records of one step each, from a scorer older than ScoredEpisode: the n-step assembler takes them as they are.
        this.singleStepIntake = new RecordIntake<>(Serdes.SCORED_TRANSITION, validator, context.deadLetters(),
                s -> s.getTransition().getEpisodeId());
        this.correctionIntake = new RecordIntake<>(Serdes.REWARD_CORRECTION, validator, context.deadLetters(),
                c -> c.getEpisodeId().toString());
        Properties props = context.kafka().consumer(context.clientId("scored"), config.groupId());
        // Static membership under the role's id, not the instance's: a restarted learner, or a standby taking over,
        // takes the partitions back at once instead of waiting out the dead member's session timeout (45 s by
        // default), and its joining fences the old member's offset commits (one active learner per group).
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.groupId() + "-active");
        this.consumer = new KafkaConsumer<>(props);
        this.correctionsApplied = Counter.builder("learner.corrections.applied")
                .description("late reward corrections applied to replay").register(context.registry());
        this.correctionsUnmatched = Counter.builder("learner.corrections.unmatched")
                .description("late reward corrections for episodes replay no longer holds").register(context.registry());
        this.worker = Worker.named("learner-ingest").joinTimeout(Duration.ofSeconds(30)).onStop(consumer::wakeup)
                .setUp(this::subscribe).tearDown(this::finish).build(this::ingestOnce);
    }

    void start() {
        worker.start();
    }

    boolean paused() {
        return paused;
    }

    /** Why ingestion stopped, or null while it runs (or after it was closed). */
    String failure() {
        Throwable f = worker.failure();
        return f == null ? null : "ingest loop failed: " + f;
    }

    long droppedEpisodes() {
        return assembler.droppedEpisodes();
    }

    private void subscribe() {
        consumer.subscribe(List.of(scoredTopic, lateTopic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // positions stay as they are; a checkpoint covers what was read
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                for (TopicPartition tp : partitions) {
                    Long start = startPositions.get(Checkpoint.positionKey(tp.topic(), tp.partition()));
                    if (start != null) {
                        consumer.seek(tp, start); // the checkpoint, not the group, says where replay stops
                    }
                }
            }
        });
    }

    /** One poll: what arrived goes into replay (or corrects it), positions advance, offsets commit when due. */
    private void ingestOnce() {
        commitIfRequested();
        applyBackPressure();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.topic().equals(scoredTopic) && ScoredRecords.isSingleStep(record.value())) {
                    singleStepIntake.accept(record).ifPresent(s -> insert(s, record));
                } else if (record.topic().equals(scoredTopic)) {
                    scoredIntake.accept(record).ifPresent(e -> {
                        for (ScoredTransition s : ScoredEpisodeSteps.expand(e)) {
                            insert(s, record);
                        }
                    });
                } else {
                    correctionIntake.accept(record).ifPresent(c -> correct(c, record.partition(), record.offset()));
                }
                positions.put(Checkpoint.positionKey(record.topic(), record.partition()), record.offset() + 1);
            }
        } finally {
            lock.unlock();
        }
        if (commitEveryPoll) {
            consumer.commitSync();
        }
    }

    /** Commits what the last checkpoint asked for (the final one, on close), then closes the consumer. */
    private void finish() {
        try {
            commitIfRequested();
        } catch (RuntimeException e) {
            LOG.warn("final offset commit failed: {}", e.getMessage());
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void insert(ScoredTransition scored, ConsumerRecord<byte[], byte[]> record) {
        Transition t0 = scored.getTransition();
        if (trial != null && t0.getDone() && t0.getExploration() != ExplorationStrategy.DEMONSTRATION) {
            // The gate compares versions on the episodes they served; demonstrations were served by no policy.
            trial.observe(UUID.fromString(t0.getEpisodeId()), t0.getPolicyVersion(), scored.getEpisodeReward(), t0.getCreatedAt());
        }
        for (StoredTransition t : assembler.add(scored, record.partition(), record.offset())) {
            replay.add(t);
        }
        List<PendingCorrection> waiting = pendingCorrections.get(UUID.fromString(scored.getTransition().getEpisodeId()));
        if (waiting != null && scored.getTransition().getDone()) {
            pendingCorrections.remove(UUID.fromString(scored.getTransition().getEpisodeId()));
            for (PendingCorrection p : waiting) {
                correct(p.correction(), p.partition(), p.offset());
            }
        }
    }

    private void correct(RewardCorrection c, int partition, long offset) {
        UUID episode = c.getEpisodeId();
        int changed = replay.applyCorrection(episode.getMostSignificantBits(), episode.getLeastSignificantBits(),
                c.getStep(), c.getDelta(), assembler.nStepReturn());
        if (changed > 0) {
            correctionsApplied.increment();
            return;
        }
        // The episode's transitions may not have arrived yet: keep the correction (bounded) until they do.
        if (pendingCorrections.size() >= MAX_PENDING_CORRECTIONS) {
            Iterator<UUID> oldest = pendingCorrections.keySet().iterator();
            oldest.next();
            oldest.remove();
            correctionsUnmatched.increment();
        }
        pendingCorrections.computeIfAbsent(episode, e -> new ArrayList<>()).add(new PendingCorrection(c, partition, offset));
    }

    private void applyBackPressure() {
        boolean pause = shouldPause.getAsBoolean();
        if (pause && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
            LOG.info("training is behind: pausing consumption (back-pressure to Kafka)");
        } else if (!pause && paused) {
            consumer.resume(consumer.assignment());
            paused = false;
            LOG.info("training caught up: resuming consumption");
        }
    }

    /**
     * The replay contents and positions a checkpoint may record, consistent with each other: positions stop before
     * any record still waiting in the n-step assembler or as a pending correction, and transitions read at or after
     * those positions are left out (they will be read again).
     */
    CheckpointView checkpointView() {
        lock.lock();
        try {
            Map<String, Long> safe = new HashMap<>(positions);
            assembler.minPendingOffsets().forEach((partition, offset) ->
                    safe.merge(Checkpoint.positionKey(scoredTopic, partition), offset, Math::min));
            for (List<PendingCorrection> list : pendingCorrections.values()) {
                for (PendingCorrection p : list) {
                    safe.merge(Checkpoint.positionKey(lateTopic, p.partition()), p.offset(), Math::min);
                }
            }
            // Positions this run has not read yet still come from where it started.
            startPositions.forEach(safe::putIfAbsent);
            ReplayBuffer.Snapshot snapshot = replay.snapshot(t -> {
                if (t.sourcePartition() < 0) {
                    return true;
                }
                Long limit = safe.get(Checkpoint.positionKey(scoredTopic, t.sourcePartition()));
                return limit == null || t.sourceOffset() < limit;
            });
            // Taken under the same lock as the positions: what the tally holds is what was read before them (or after,
            // and then known by id when read again).
            return new CheckpointView(snapshot, Map.copyOf(safe), trial == null ? null : trial.snapshot());
        } finally {
            lock.unlock();
        }
    }

    /** Commits these positions to the consumer group at the next opportunity (the consumer's own thread). */
    void requestCommit(Map<String, Long> committed) {
        commitRequest.set(committed);
    }

    private void commitIfRequested() {
        Map<String, Long> request = commitRequest.getAndSet(null);
        if (request == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        request.forEach((key, offset) -> {
            int slash = key.lastIndexOf('/');
            offsets.put(new TopicPartition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1))),
                    new OffsetAndMetadata(offset));
        });
        consumer.commitSync(offsets);
    }

    /** Stops consuming (waking the consumer up) and waits for the loop to end (up to 30 s). */
    @Override
    public void close() {
        worker.close();
    }

    /** What a checkpoint takes from the ingest side. */
    /** @param trial the promotion gate's evidence for the trial on, or null (no gate, no trial) */
    record CheckpointView(ReplayBuffer.Snapshot replay, Map<String, Long> positions, TrialTally.Snapshot trial) {
    }
}
