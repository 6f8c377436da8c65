package dev.qstream.schemas.validation;

import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredStep;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.generic.PrimitivesArrays;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The one place where the rules beyond decoding live: ids present, token ids inside the vocabulary, finite
 * numbers, sizes inside the limits, steps consistent. Every service runs its input through it; a non-empty result
 * means the record is dead-lettered with these reasons.
 */
public final class RecordValidator {

    private final ValidationLimits limits;

    public RecordValidator(ValidationLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ValidationLimits limits() {
        return limits;
    }

    /** Validates any qstream record; returns the violations (empty when valid). */
    public List<String> validate(Object record) {
        Violations v = new Violations();
        if (record instanceof Prompt p) {
            prompt(p, v);
        } else if (record instanceof Transition t) {
            transition(t, v, "");
        } else if (record instanceof ScoredEpisode e) {
            scoredEpisode(e, v);
        } else if (record instanceof ScoredTransition s) {
            scored(s, v);
        } else if (record instanceof Feedback f) {
            feedback(f, v);
        } else if (record instanceof RewardCorrection c) {
            correction(c, v);
        } else if (record instanceof ModelUpdate m) {
            modelUpdate(m, v);
        } else if (record instanceof DeploymentDecision d) {
            deploymentDecision(d, v);
        } else if (record == null) {
            v.add("record is missing (null value)");
        }
        return v.list;
    }

    /** Key rule for topics keyed by an id: the key must be present and equal the id inside the value. */
    public List<String> validateKey(String key, String expectedKey) {
        Violations v = new Violations();
        if (key == null || key.isEmpty()) {
            v.add("record key is missing; expected '" + expectedKey + "'");
        } else if (expectedKey != null && !key.equals(expectedKey)) {
            v.add("record key '" + abbreviate(key) + "' does not match the id in the value '" + abbreviate(expectedKey) + "'");
        }
        return v.list;
    }

    private void prompt(Prompt p, Violations v) {
        id("promptId", p.getPromptId(), v);
        if (p.getText() == null || p.getText().isBlank()) {
            v.add("prompt text is empty");
        } else if (p.getText().length() > limits.maxPromptChars()) {
            v.add("prompt text has " + p.getText().length() + " chars, over the limit of " + limits.maxPromptChars());
        }
        if (p.getReferences().size() > limits.maxReferences()) {
            v.add("prompt has " + p.getReferences().size() + " references, over the limit of " + limits.maxReferences());
        }
        for (int i = 0; i < p.getReferences().size(); i++) {
            String r = p.getReferences().get(i);
            if (r.length() > limits.maxReferenceChars()) {
                v.add("reference " + i + " has " + r.length() + " chars, over the limit of " + limits.maxReferenceChars());
            }
        }
        if (p.getMaxTokens() != null && (p.getMaxTokens() < 1 || p.getMaxTokens() > limits.maxTokens())) {
            v.add("maxTokens must be in [1, " + limits.maxTokens() + "], got " + p.getMaxTokens());
        }
        if (p.getTask().length() > limits.maxIdChars()) {
            v.add("task name is longer than " + limits.maxIdChars() + " chars");
        }
    }

    private void transition(Transition t, Violations v, String prefix) {
        // Field names are only put together when something is wrong: this runs for every transition the scorer reads.
        uuid(prefix, "episodeId", t.getEpisodeId(), v);
        id(prefix, "promptId", t.getPromptId(), v);
        id(prefix, "actorId", t.getActorId(), v);
        if (t.getStep() < 0) {
            v.add(prefix + "step is negative: " + t.getStep());
        }
        if (t.getPrefixTokens().size() != t.getStep()) {
            v.add(prefix + "step " + t.getStep() + " but " + t.getPrefixTokens().size()
                    + " prefix tokens (the prefix holds exactly the tokens of the earlier steps)");
        }
        int stateTokens = t.getPromptTokens().size() + t.getPrefixTokens().size();
        if (stateTokens > limits.maxTokens()) {
            v.add(prefix + "state has " + stateTokens + " tokens, over the limit of " + limits.maxTokens());
        }
        tokens(prefix, "promptTokens", t.getPromptTokens(), v);
        tokens(prefix, "prefixTokens", t.getPrefixTokens(), v);
        decision(prefix, t.getAction(), t.getValidActions(), t.getBehaviourProbability(), t.getDecisionMicros(),
                t.getPolicyVersion(), v);
    }

    /** What the actor recorded of one decision: the action among its mask, its probability, time and version. */
    private void decision(String prefix, int action, List<Integer> validActions, double behaviourProbability,
                          long decisionMicros, long policyVersion, Violations v) {
        token(prefix, "action", action, v);
        if (validActions != null) {
            if (validActions.isEmpty()) {
                v.add(prefix + "validActions is empty (null means every action is valid)");
            }
            tokens(prefix, "validActions", validActions, v);
            if (!containsInt(validActions, action)) {
                v.add(prefix + "action " + action + " is not among the recorded valid actions");
            }
        }
        if (!finite(behaviourProbability) || behaviourProbability < 0 || behaviourProbability > 1) {
            v.add(prefix + "behaviourProbability must be in [0, 1], got " + behaviourProbability);
        }
        if (decisionMicros < 0) {
            v.add(prefix + "decisionMicros is negative: " + decisionMicros);
        }
        if (policyVersion < 0) {
            v.add(prefix + "policyVersion is negative: " + policyVersion);
        }
    }

    /** A whole scored episode: the rules of each of its steps' transitions, and its reward terms. */
    private void scoredEpisode(ScoredEpisode e, Violations v) {
        uuid("episodeId", e.getEpisodeId(), v);
        id("promptId", e.getPromptId(), v);
        id("actorId", e.getActorId(), v);
        tokens("promptTokens", e.getPromptTokens(), v);
        List<ScoredStep> steps = e.getSteps();
        if (steps.isEmpty()) {
            v.add("scored episode has no steps");
        }
        int stateTokens = e.getPromptTokens().size() + Math.max(0, steps.size() - 1);
        if (stateTokens > limits.maxTokens()) {
            v.add("last state has " + stateTokens + " tokens, over the limit of " + limits.maxTokens());
        }
        for (int i = 0; i < steps.size(); i++) {
            ScoredStep s = steps.get(i);
            String prefix = "steps[" + i + "].";
            decision(prefix, s.getAction(), s.getValidActions(), s.getBehaviourProbability(), s.getDecisionMicros(),
                    s.getPolicyVersion(), v);
            number(prefix + "reward", s.getReward(), v);
        }
        number("episodeReward", e.getEpisodeReward(), v);
        parts(e.getParts(), v);
    }

    private void scored(ScoredTransition s, Violations v) {
        if (s.getTransition() == null) {
            v.add("scored transition carries no transition");
            return;
        }
        transition(s.getTransition(), v, "transition.");
        number("reward", s.getReward(), v);
        number("episodeReward", s.getEpisodeReward(), v);
        if (s.getNextValidActions() != null) {
            tokens("nextValidActions", s.getNextValidActions(), v);
        }
        parts(s.getParts(), v);
    }

    private void parts(RewardParts parts, Violations v) {
        if (parts != null) {
            number("parts.metric", parts.getMetric(), v);
            number("parts.bleu", parts.getBleu(), v);
            if (parts.getHuman() != null) {
                number("parts.human", parts.getHuman(), v);
            }
            number("parts.lengthPenalty", parts.getLengthPenalty(), v);
            number("parts.repetitionPenalty", parts.getRepetitionPenalty(), v);
        }
    }

    private void feedback(Feedback f, Violations v) {
        if (!finite(f.getValue()) || f.getValue() < -1 || f.getValue() > 1) {
            v.add("feedback value must be a finite number in [-1, 1], got " + f.getValue());
        }
        if (f.getEditedText() != null && f.getEditedText().length() > limits.maxFeedbackChars()) {
            v.add("edited text has " + f.getEditedText().length() + " chars, over the limit of " + limits.maxFeedbackChars());
        }
        if (f.getSource().length() > limits.maxIdChars()) {
            v.add("feedback source is longer than " + limits.maxIdChars() + " chars");
        }
    }

    private void correction(RewardCorrection c, Violations v) {
        if (c.getStep() < 0) {
            v.add("step is negative: " + c.getStep());
        }
        number("previousHuman", c.getPreviousHuman(), v);
        number("human", c.getHuman(), v);
        number("delta", c.getDelta(), v);
    }

    private void modelUpdate(ModelUpdate m, Violations v) {
        id("modelName", m.getModelName(), v);
        if (m.getVersion() < 1) {
            v.add("model version must be >= 1, got " + m.getVersion());
        }
        if (m.getChunkCount() < 1 || m.getChunkIndex() < 0 || m.getChunkIndex() >= m.getChunkCount()) {
            v.add("chunk " + m.getChunkIndex() + " of " + m.getChunkCount() + " is out of range");
        }
        if (m.getTotalBytes() < 0) {
            v.add("totalBytes is negative");
        }
        if (m.getSha256() == null || !m.getSha256().matches("[0-9a-f]{64}")) {
            v.add("sha256 must be 64 lowercase hex digits");
        }
    }

    /** A decision must name a state actors can route by: versions that exist, a share that means something. */
    private void deploymentDecision(DeploymentDecision d, Violations v) {
        id("model", d.getModel(), v);
        if (d.getAction() == DeploymentAction.UNKNOWN) {
            v.add("deployment action unknown to this version of qstream (written by a newer one?)");
        }
        if (d.getSubjectVersion() < 0 || d.getChampionVersion() < 0) {
            v.add("versions must be >= 0, got subject " + d.getSubjectVersion() + ", champion " + d.getChampionVersion());
        }
        Long challenger = d.getChallengerVersion();
        if (challenger != null && (challenger < 0 || challenger == d.getChampionVersion())) {
            v.add("challenger v" + challenger + " must be a version >= 0 other than the champion v" + d.getChampionVersion());
        }
        double share = d.getCanaryFraction();
        if (!(share >= 0 && share < 1) || (challenger != null && share == 0)) {
            v.add("canary fraction must be in (0, 1) with a challenger and 0 <= it < 1 without, got " + share);
        }
    }

    private void id(String field, String value, Violations v) {
        id("", field, value, v);
    }

    private void id(String prefix, String field, String value, Violations v) {
        if (value == null || value.isBlank()) {
            v.add(prefix + field + " is empty");
        } else if (value.length() > limits.maxIdChars()) {
            v.add(prefix + field + " is longer than " + limits.maxIdChars() + " chars");
        }
    }

    private static void uuid(String field, String value, Violations v) {
        uuid("", field, value, v);
    }

    private static void uuid(String prefix, String field, String value, Violations v) {
        if (value != null && isCanonicalUuid(value)) {
            return; // the usual case, without parsing and printing it
        }
        field = prefix + field;
        try {
            if (value == null || UUID.fromString(value).toString().length() != value.length()) {
                v.add(field + " is not a UUID: '" + abbreviate(String.valueOf(value)) + "'");
            }
        } catch (IllegalArgumentException e) {
            v.add(field + " is not a UUID: '" + abbreviate(value) + "'");
        }
    }

    /** 8-4-4-4-12 hex digits: what UUID.fromString accepts and prints back at the same length. */
    private static boolean isCanonicalUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The id at {@code i}, unboxed when the list is Avro's int-backed array (what decoding gives). */
    private static int intAt(List<Integer> ids, int i) {
        return ids instanceof PrimitivesArrays.IntArray a ? a.getInt(i) : ids.get(i);
    }

    private static boolean containsInt(List<Integer> ids, int id) {
        for (int i = 0, n = ids.size(); i < n; i++) {
            if (intAt(ids, i) == id) {
                return true;
            }
        }
        return false;
    }

    private void tokens(String prefix, String field, List<Integer> ids, Violations v) {
        if (ids.size() > limits.maxTokens() || !allInVocabulary(ids)) {
            tokens(prefix + field, ids, v);
        }
    }

    private boolean allInVocabulary(List<Integer> ids) {
        for (int i = 0, n = ids.size(); i < n; i++) {
            if (!inVocabulary(intAt(ids, i))) {
                return false;
            }
        }
        return true;
    }

    private void tokens(String field, List<Integer> ids, Violations v) {
        if (ids.size() > limits.maxTokens()) {
            v.add(field + " has " + ids.size() + " ids, over the limit of " + limits.maxTokens());
            return;
        }
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            if (!inVocabulary(id)) {
                v.add(field + "[" + i + "] = " + id + " is outside the vocabulary [0, " + vocabularyBound() + ")");
                return;
            }
        }
    }

    private void token(String prefix, String field, int id, Violations v) {
        if (!inVocabulary(id)) {
            token(prefix + field, id, v);
        }
    }

    private void token(String field, int id, Violations v) {
        if (!inVocabulary(id)) {
            v.add(field + " = " + id + " is outside the vocabulary [0, " + vocabularyBound() + ")");
        }
    }

    private boolean inVocabulary(int id) {
        return id >= 0 && (limits.vocabularySize() == 0 || id < limits.vocabularySize());
    }

    private String vocabularyBound() {
        return limits.vocabularySize() == 0 ? "∞" : String.valueOf(limits.vocabularySize());
    }

    private static void number(String field, double value, Violations v) {
        if (!finite(value)) {
            v.add(field + " is not finite: " + value);
        }
    }

    private static boolean finite(double x) {
        return !Double.isNaN(x) && !Double.isInfinite(x);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static final class Violations {
        final List<String> list = new ArrayList<>();

        void add(String violation) {
            list.add(violation);
        }
    }
}
