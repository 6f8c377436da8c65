package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/**
 * Assembles episodes from their transitions and hands each whole one to the feedback join. Steps may arrive
 * duplicated (ignored, counted) or out of order (kept sorted); an episode is whole when its done step and every
 * step before it are present and its prompt is known. A wall-clock punctuator retries whole episodes whose prompt
 * was not yet known and dead-letters episodes that never complete, so nothing waits forever and nothing is dropped
 * silently.
 *
 * <p>Each step is stored once, under {@code <episodeId>/<step>} (sorted by step), next to a small header per episode
 * (an {@link EpisodeAssembly} without steps): re-encoding a growing list of steps on every arrival cost more than
 * everything else the scorer does.
 */
final class EpisodeAssemblyProcessor implements Processor<String, Transition, String, SpecificRecordBase> {

    private final ScorerConfig config;
    private final ScorerMetrics metrics;
    private final RecordValidator validator;
    private ProcessorContext<String, SpecificRecordBase> context;
    private DeadLetterForwarder deadLetters;
    private CommitBufferedStore<EpisodeAssembly> episodes;
    private CommitBufferedStore<Transition> steps;
    private KeyValueStore<String, EpisodeAssembly> held;
    private CommitBufferedStore<ScoredTransition> scored;
    private KeyValueStore<String, Prompt> prompts;

    EpisodeAssemblyProcessor(ScorerConfig config, ScorerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.validator = new RecordValidator(config.limits());
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecordBase> context) {
        this.context = context;
        this.deadLetters = new DeadLetterForwarder(metrics, context);
        this.episodes = context.getStateStore(ScorerTopology.EPISODE_STORE);
        this.steps = context.getStateStore(ScorerTopology.STEP_STORE);
        this.held = context.getStateStore(ScorerTopology.HELD_STORE);
        this.scored = context.getStateStore(ScorerTopology.SCORED_STORE);
        this.prompts = context.getStateStore(ScorerTopology.PROMPT_STORE);
        context.schedule(config.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, Transition> record) {
        Transition t = record.value();
        metrics.processingLag(context.currentSystemTimeMs() - record.timestamp());
        if (t == null) {
            deadLetterInput(record, "transition value is missing (null)");
            return;
        }
        List<String> violations = new ArrayList<>(validator.validate(t));
        if (violations.isEmpty()) {
            violations.addAll(validator.validateKey(record.key(), t.getEpisodeId()));
        }
        if (!violations.isEmpty()) {
            deadLetterInput(record, String.join("; ", violations));
            return;
        }
        String key = record.key();
        EpisodeAssembly episode = migrated(key, episodes.get(key));
        boolean changed = episode == null; // the header is only written when it changes: one store write less per step
        if (episode == null) {
            if (held.get(key) != null || scored.get(key) != null) {
                metrics.duplicateStep(); // a step redelivered after its episode was complete
                return;
            }
            episode = EpisodeAssembly.newBuilder().setEpisodeId(key).setSteps(List.of())
                    .setFirstSeenAt(context.currentSystemTimeMs()).build();
            // No header anywhere, so no step either (steps go with their header): until the next commit its steps
            // are looked up in memory only, not in RocksDB (one read per step saved: most of the assembly's cost).
            steps.declareNewGroup(key + "/");
        }
        String stepKey = stepKey(key, t.getStep());
        if (steps.contains(stepKey)) {
            episode.setDuplicates(episode.getDuplicates() + 1);
            metrics.duplicateStep();
            episodes.put(key, episode);
            return;
        }
        if (episode.getLastStep() >= 0 && (t.getStep() > episode.getLastStep() || t.getDone())) {
            deadLetterInput(record, "step " + t.getStep() + (t.getDone() ? " is a second done step" : " comes after the done step")
                    + " of episode " + key + " (done at step " + episode.getLastStep() + ")");
            return;
        }
        steps.put(stepKey, t);
        if (t.getDone()) {
            episode.setLastStep(t.getStep());
            changed = true;
        }
        if (!completeIfWhole(key, episode, record.timestamp()) && changed) {
            episodes.put(key, episode);
        }
    }

    /** Hands a whole episode to the feedback join (or dead-letters it) and forgets it; false when it must wait. */
    private boolean completeIfWhole(String key, EpisodeAssembly header, long timestamp) {
        if (header.getLastStep() < 0) {
            return false; // no done step yet: no need to look at the steps
        }
        EpisodeAssembly episode = withSteps(key, header);
        List<Transition> all = episode.getSteps();
        if (all.size() != header.getLastStep() + 1) {
            return false;
        }
        Prompt prompt = prompts.get(all.get(0).getPromptId());
        if (prompt == null) {
            return false; // the prompt table may lag; the sweep retries until the episode times out
        }
        String inconsistency = prefixInconsistency(all);
        if (inconsistency != null) {
            deadLetterEpisode(key, episode, DeadLetterReason.VALIDATION, inconsistency);
            return true;
        }
        if (prompt.getReferences().isEmpty() && !config.feedbackOnlyWithoutReferences()) {
            deadLetterEpisode(key, episode, DeadLetterReason.MISSING_REFERENCES,
                    "prompt " + prompt.getPromptId() + " has no references and feedback-only scoring is off");
            return true;
        }
        context.forward(new Record<>(key, (SpecificRecordBase) episode, timestamp), ScorerTopology.JOIN);
        forget(key, all);
        return true;
    }

    /**
     * Headers written before steps had a store of their own carry their steps inside (an upgrade from a release that
     * stored whole episodes in one record): move them to the step store, so an episode in flight across the upgrade
     * still completes.
     */
    private EpisodeAssembly migrated(String key, EpisodeAssembly header) {
        if (header == null || header.getSteps().isEmpty()) {
            return header;
        }
        for (Transition t : header.getSteps()) {
            steps.put(stepKey(key, t.getStep()), t);
        }
        EpisodeAssembly slim = EpisodeAssembly.newBuilder(header).setSteps(List.of()).build();
        episodes.put(key, slim);
        return slim;
    }

    /** The header with every stored step of the episode, in step order. */
    private EpisodeAssembly withSteps(String key, EpisodeAssembly header) {
        return EpisodeAssembly.newBuilder(header).setSteps(new ArrayList<>(steps.range(key + "/").values())).build();
    }

    /** Deletes the episode: what never reached RocksDB leaves no trace, the rest gets tombstones at the commit. */
    private void forget(String key, List<Transition> all) {
        for (Transition s : all) {
            steps.remove(stepKey(key, s.getStep()));
        }
        episodes.remove(key);
    }

    /** Zero-padded so that the store's byte order is step order (steps are below the 1,024-token state limit). */
    private static String stepKey(String episodeId, int step) {
        String digits = Integer.toString(step);
        return episodeId + "/" + "000000".substring(Math.min(6, digits.length())) + digits;
    }

    /** Every step's prefix must be exactly the actions of the steps before it, on one prompt, from one actor. */
    private static String prefixInconsistency(List<Transition> steps) {
        Transition head = steps.get(0);
        for (int i = 0; i < steps.size(); i++) {
            Transition t = steps.get(i);
            List<Integer> prefix = t.getPrefixTokens();
            for (int j = 0; j < i; j++) {
                if (intAt(prefix, j) != steps.get(j).getAction()) {
                    return "prefix of step " + i + " disagrees with the action of step " + j;
                }
            }
            if (!t.getPromptId().equals(head.getPromptId())) {
                return "step " + i + " names another prompt than step 0";
            }
            // The scored record carries the prompt tokens and the actor once, so every step must agree on them.
            if (i > 0 && !sameInts(t.getPromptTokens(), head.getPromptTokens())) {
                return "step " + i + " carries other prompt tokens than step 0";
            }
            if (!t.getActorId().equals(head.getActorId())) {
                return "step " + i + " names another actor than step 0";
            }
        }
        return null;
    }

    /** Element by element, unboxed where the list is Avro's int-backed array (what decoding gives). */
    private static boolean sameInts(List<Integer> a, List<Integer> b) {
        if (a == b) {
            return true;
        }
        int n = a.size();
        if (n != b.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (intAt(a, i) != intAt(b, i)) {
                return false;
            }
        }
        return true;
    }

    private static int intAt(List<Integer> ids, int i) {
        return ids instanceof PrimitivesArrays.IntArray a ? a.getInt(i) : ids.get(i);
    }

    private void sweep(long now) {
        List<String> waiting = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        for (var entry : episodes.range("").entrySet()) {
            if (now - entry.getValue().getFirstSeenAt() > config.episodeTimeout().toMillis()) {
                expired.add(entry.getKey());
            } else if (entry.getValue().getLastStep() >= 0) {
                waiting.add(entry.getKey()); // whole perhaps, its prompt not known yet: try again
            }
        }
        for (String key : waiting) {
            completeIfWhole(key, migrated(key, episodes.get(key)), now);
        }
        for (String key : expired) {
            EpisodeAssembly header = migrated(key, episodes.get(key));
            if (header == null) {
                continue;
            }
            EpisodeAssembly e = withSteps(key, header);
            boolean complete = e.getLastStep() >= 0 && e.getSteps().size() == e.getLastStep() + 1;
            String why = complete
                    ? "episode " + key + " is complete but its prompt " + e.getSteps().get(0).getPromptId()
                    + " never appeared within " + config.episodeTimeout().toSeconds() + " s"
                    : "episode " + key + " incomplete after " + config.episodeTimeout().toSeconds() + " s: "
                    + e.getSteps().size() + " steps" + (e.getLastStep() < 0 ? ", no done step" : ", done at step " + e.getLastStep());
            deadLetterEpisode(key, e, complete ? DeadLetterReason.MISSING_REFERENCES : DeadLetterReason.EPISODE_TIMEOUT, why);
        }
    }

    private void deadLetterInput(Record<String, Transition> record, String error) {
        byte[] value = record.value() == null ? null : Serdes.TRANSITION.encode(record.value());
        deadLetters.input(config.layout().name(QstreamTopic.TRANSITIONS), record.key(), value,
                DeadLetterReason.VALIDATION, error, record.timestamp());
    }

    private void deadLetterEpisode(String key, EpisodeAssembly episode, DeadLetterReason reason, String error) {
        deadLetters.held(config.layout().name(QstreamTopic.TRANSITIONS), key, Serdes.EPISODE_ASSEMBLY.encode(episode),
                reason, error);
        forget(key, episode.getSteps());
    }
}
