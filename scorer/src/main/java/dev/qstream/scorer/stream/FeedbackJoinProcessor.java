package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.scorer.feedback.FeedbackAggregation;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardComposer;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Joins whole episodes (from the assembler) with human feedback (from {@code qstream.feedback}, same key, same
 * task) and decides when each episode is scored:
 * <ul>
 *   <li>an episode whose reward does not depend on feedback (human weight 0, references present) is scored at
 *       once;</li>
 *   <li>otherwise it is held until its window closes: {@code window + grace} after it completed here, on the
 *       wall clock, so a default reward still goes out when input stops; or, with emit-on-first-feedback, when
 *       the first event inside the window arrives. The events given ({@code createdAt}) less than {@code window}
 *       after the episode's done step are aggregated into its human value;</li>
 *   <li>feedback that misses the window (given after it, or arriving after it closed) becomes a
 *       {@link RewardCorrection} on {@code qstream.rewards.late}, against the scored episode the scorer remembers
 *       for {@code retention};</li>
 *   <li>feedback for an episode the scorer never assembles (within the episode timeout) and does not remember is
 *       dead-lettered: unknown or expired episode.</li>
 * </ul>
 * Every accepted event therefore ends in exactly one of: a reward, a correction, a dead letter. The same feedback
 * id counts once. All state lives in changelogged RocksDB stores, so it survives restarts exactly once.
 */
final class FeedbackJoinProcessor implements Processor<String, SpecificRecordBase, String, SpecificRecordBase> {

    private final ScorerConfig config;
    private final FeedbackConfig feedbackConfig;
    private final ScorerMetrics metrics;
    private final RewardComposer composer;
    private final PreparedReferences prepared;
    private final RecordValidator validator;
    private ProcessorContext<String, SpecificRecordBase> context;
    private EpisodeEmitter emitter;
    private DeadLetterForwarder deadLetters;
    private CommitBufferedStore<EpisodeAssembly> assembling;
    private KeyValueStore<String, EpisodeAssembly> held;
    private KeyValueStore<String, Feedback> feedback;
    private CommitBufferedStore<ScoredTransition> scored;
    private KeyValueStore<String, Prompt> prompts;
    private TimerIndex timers;

    FeedbackJoinProcessor(ScorerConfig config, ScorerMetrics metrics, RewardComposer composer, PreparedReferences prepared) {
        this.config = config;
        this.feedbackConfig = config.feedback();
        this.metrics = metrics;
        this.composer = composer;
        this.prepared = prepared;
        this.validator = new RecordValidator(config.limits());
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecordBase> context) {
        this.context = context;
        this.emitter = new EpisodeEmitter(composer, prepared, metrics, context);
        this.deadLetters = new DeadLetterForwarder(metrics, context);
        this.assembling = context.getStateStore(ScorerTopology.EPISODE_STORE);
        this.held = context.getStateStore(ScorerTopology.HELD_STORE);
        this.feedback = context.getStateStore(ScorerTopology.FEEDBACK_STORE);
        this.scored = context.getStateStore(ScorerTopology.SCORED_STORE);
        this.prompts = context.getStateStore(ScorerTopology.PROMPT_STORE);
        this.timers = new TimerIndex(context.getStateStore(ScorerTopology.TIMER_STORE));
        // Wall-clock, not stream time: windows must close and defaults go out even when no record arrives.
        context.schedule(config.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::fireTimers);
    }

    @Override
    public void process(Record<String, SpecificRecordBase> record) {
        if (record.value() instanceof EpisodeAssembly episode) {
            episodeComplete(record.key(), episode, record.timestamp());
        } else if (record.value() instanceof Feedback f) {
            metrics.processingLag(context.currentSystemTimeMs() - record.timestamp());
            feedbackArrived(record.key(), f, record.timestamp());
        } else {
            // Only the feedback source can hand over a null (a tombstone); the assembler never does.
            deadLetters.input(topic(QstreamTopic.FEEDBACK), record.key(), null, DeadLetterReason.VALIDATION,
                    "feedback value is missing (null)", record.timestamp());
        }
    }

    // ------------------------------------------------------------------------------------------ episodes

    private void episodeComplete(String key, EpisodeAssembly episode, long timestamp) {
        Prompt prompt = prompts.get(episode.getSteps().get(0).getPromptId());
        if (prompt == null) { // the assembler only hands over episodes whose prompt it found
            giveUp(key, episode, "prompt " + episode.getSteps().get(0).getPromptId() + " left the prompt table");
            return;
        }
        if (!config.waitsForFeedback(!prompt.getReferences().isEmpty())) {
            ScoredTransition memory = emitter.emit(key, episode, prompt, null, timestamp);
            remember(key, memory, List.of(), feedbackOf(key)); // feedback that came early is all late here
            return;
        }
        long now = context.currentSystemTimeMs();
        held.put(key, episode);
        timers.schedule(TimerIndex.Kind.CLOSE, now + feedbackConfig.hold().toMillis(), key);
        if (feedbackConfig.emitOnFirstFeedback()
                && feedbackOf(key).stream().anyMatch(f -> insideWindow(f, episode))) {
            close(key, now);
        }
    }

    /** Scores a held episode with the feedback given inside its window; anything else it has becomes a correction. */
    private void close(String key, long now) {
        EpisodeAssembly episode = held.get(key);
        if (episode == null) {
            return; // closed already (emit on first feedback); the timer was stale
        }
        held.put(key, null); // put(null) deletes without decoding the old value again
        Prompt prompt = prompts.get(episode.getSteps().get(0).getPromptId());
        if (prompt == null) {
            giveUp(key, episode, "prompt " + episode.getSteps().get(0).getPromptId()
                    + " left the prompt table while the episode waited for feedback");
            return;
        }
        List<Feedback> joined = new ArrayList<>();
        List<Feedback> missed = new ArrayList<>();
        for (Feedback f : feedbackOf(key)) {
            (insideWindow(f, episode) ? joined : missed).add(f);
        }
        ScoredTransition memory = emitter.emit(key, episode, prompt, feedbackConfig.aggregation().aggregate(joined), now);
        metrics.windowClosed(joined.size());
        remember(key, memory, joined, missed);
    }

    /** Emits a correction per missed event (in given order), then remembers the episode for later feedback. */
    private void remember(String key, ScoredTransition memory, List<Feedback> joined, List<Feedback> missed) {
        List<Feedback> counted = new ArrayList<>(joined);
        List<Feedback> ordered = new ArrayList<>(missed);
        ordered.sort(FeedbackAggregation.GIVEN_ORDER);
        for (Feedback f : ordered) {
            counted.add(f);
            correct(key, memory, f, counted);
        }
        scored.put(key, memory);
        timers.schedule(TimerIndex.Kind.FORGET, context.currentSystemTimeMs() + feedbackConfig.retention().toMillis(), key);
    }

    /** The reward change {@code late} causes, given every event counted so far; updates {@code memory} in place. */
    private void correct(String key, ScoredTransition memory, Feedback late, List<Feedback> counted) {
        double previous = composer.appliedHuman(memory.getParts());
        double human = feedbackConfig.aggregation().aggregate(counted);
        RewardCorrection correction = RewardCorrection.newBuilder()
                .setEpisodeId(UUID.fromString(key))
                .setFeedbackId(late.getFeedbackId())
                .setStep(memory.getTransition().getStep())
                .setPreviousHuman(previous)
                .setHuman(human)
                .setDelta(composer.humanWeight(memory.getParts()) * (human - previous))
                .setCreatedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        context.forward(new Record<>(key, (SpecificRecordBase) correction, context.currentSystemTimeMs()),
                ScorerTopology.LATE_SINK);
        memory.getParts().setHuman(human);
        memory.getParts().setHumanDefaulted(false);
        metrics.lateFeedback();
    }

    // ------------------------------------------------------------------------------------------ feedback

    private void feedbackArrived(String key, Feedback f, long timestamp) {
        List<String> violations = new ArrayList<>(validator.validate(f));
        if (violations.isEmpty()) {
            violations.addAll(validator.validateKey(key, f.getEpisodeId().toString()));
        }
        if (!violations.isEmpty()) {
            deadLetters.input(topic(QstreamTopic.FEEDBACK), key, Serdes.FEEDBACK.encode(f), DeadLetterReason.VALIDATION,
                    String.join("; ", violations), timestamp);
            return;
        }
        String id = feedbackKey(key, f);
        if (feedback.get(id) != null) {
            metrics.duplicateFeedback(); // a retried send: the first copy already counts
            return;
        }
        feedback.put(id, f);
        metrics.feedbackReceived();
        long now = context.currentSystemTimeMs();
        EpisodeAssembly waiting = held.get(key);
        if (waiting != null) {
            if (feedbackConfig.emitOnFirstFeedback() && insideWindow(f, waiting)) {
                close(key, now);
            }
            return; // joined, or corrected, when the window closes
        }
        ScoredTransition memory = scored.get(key);
        if (memory != null) {
            correct(key, memory, f, feedbackOf(key));
            scored.put(key, memory);
            return;
        }
        // Not seen yet (still being generated or assembled), or long forgotten: wait as long as an episode may take.
        timers.schedule(TimerIndex.Kind.ORPHAN, now + config.episodeTimeout().toMillis(), id);
    }

    private boolean insideWindow(Feedback f, EpisodeAssembly episode) {
        long doneAt = episode.getSteps().get(episode.getSteps().size() - 1).getCreatedAt();
        return f.getCreatedAt().toEpochMilli() < doneAt + feedbackConfig.window().toMillis();
    }

    /** Every accepted event of an episode (keys {@code <episodeId>/<feedbackId>} share the episode's prefix). */
    private List<Feedback> feedbackOf(String key) {
        List<Feedback> out = new ArrayList<>();
        try (KeyValueIterator<String, Feedback> it = feedback.prefixScan(key + "/", new StringSerializer())) {
            while (it.hasNext()) {
                out.add(it.next().value);
            }
        }
        return out;
    }

    private static String feedbackKey(String episodeId, Feedback f) {
        return episodeId + "/" + f.getFeedbackId();
    }

    // ------------------------------------------------------------------------------------------ timers

    private void fireTimers(long now) {
        for (TimerIndex.Timer t : timers.due(TimerIndex.Kind.CLOSE, now)) {
            timers.cancel(t);
            close(t.id(), now);
        }
        for (TimerIndex.Timer t : timers.due(TimerIndex.Kind.ORPHAN, now)) {
            timers.cancel(t);
            orphanDue(t.id(), now);
        }
        for (TimerIndex.Timer t : timers.due(TimerIndex.Kind.FORGET, now)) {
            timers.cancel(t);
            forget(t.id());
        }
    }

    /** An event that found no episode: by now its episode is held, scored, still assembling, or never coming. */
    private void orphanDue(String id, long now) {
        Feedback f = feedback.get(id);
        if (f == null) {
            return;
        }
        String key = id.substring(0, id.indexOf('/'));
        if (held.get(key) != null || scored.get(key) != null) {
            return; // its episode took it in (joined or corrected)
        }
        if (assembling.get(key) != null) {
            // Still assembling: it completes or is dead-lettered within the episode timeout; look again then.
            timers.schedule(TimerIndex.Kind.ORPHAN, now + config.episodeTimeout().toMillis(), id);
            return;
        }
        feedback.put(id, null);
        deadLetters.held(topic(QstreamTopic.FEEDBACK), key, Serdes.FEEDBACK.encode(f), DeadLetterReason.VALIDATION,
                "feedback " + f.getFeedbackId() + " is for an unknown or expired episode " + key + ": no such episode"
                        + " was assembled within " + config.episodeTimeout().toSeconds() + " s of its arrival, and none"
                        + " was scored within the last " + feedbackConfig.retention().toMinutes() + " min (feedback retention)");
    }

    /** The episode's retention ended: forget it and its feedback (later feedback is dead-lettered as expired). */
    private void forget(String key) {
        scored.remove(key);
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, Feedback> it = feedback.prefixScan(key + "/", new StringSerializer())) {
            while (it.hasNext()) {
                ids.add(it.next().key);
            }
        }
        ids.forEach(id -> feedback.put(id, null));
    }

    /** An episode that cannot be scored after all: dead-letter it, and its feedback with it. */
    private void giveUp(String key, EpisodeAssembly episode, String why) {
        deadLetters.held(topic(QstreamTopic.TRANSITIONS), key, Serdes.EPISODE_ASSEMBLY.encode(episode),
                DeadLetterReason.MISSING_REFERENCES, "episode " + key + ": " + why);
        for (Feedback f : feedbackOf(key)) {
            feedback.put(feedbackKey(key, f), null);
            deadLetters.held(topic(QstreamTopic.FEEDBACK), key, Serdes.FEEDBACK.encode(f), DeadLetterReason.VALIDATION,
                    "feedback " + f.getFeedbackId() + " is for episode " + key + ", which was dead-lettered: " + why);
        }
    }

    private String topic(QstreamTopic t) {
        return config.layout().name(t);
    }
}
