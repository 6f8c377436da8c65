package dev.qstream.launcher.cli;

import dev.qstream.runtime.deployment.DeploymentLog;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An operator's override of the gate ({@code qstream promote V} / {@code rollback V}): checked against the current
 * deployment state, then appended to {@code qstream.deployments} like the gate's own decisions, so the actors and
 * the learner act on it the same way.
 */
final class OperatorDecision {

    static final String DECIDED_BY = "operator";

    private OperatorDecision() {
    }

    /** What happened, in words for the terminal. */
    record Outcome(boolean changed, String message) {
    }

    static Outcome promote(KafkaSettings settings, String model, long version, String reason, Duration timeout) {
        List<DeploymentDecision> log = DeploymentLog.history(settings, "qstream-promote", model, timeout);
        DeploymentState state = state(log);
        if (state.champion().isPresent() && state.champion().getAsLong() == version) {
            return new Outcome(false, "v" + version + " is already the champion; nothing to do");
        }
        requireChallenger(state, version, "promote", "promoted");
        DeploymentDecision d = decision(model, DeploymentAction.PROMOTED, version, version, reason);
        return append(settings, log, d, timeout, "promoted v" + version + ": it now serves all traffic");
    }

    static Outcome rollback(KafkaSettings settings, String model, long version, String reason, Duration timeout) {
        List<DeploymentDecision> log = DeploymentLog.history(settings, "qstream-rollback", model, timeout);
        DeploymentState state = state(log);
        if (state.champion().isPresent() && state.champion().getAsLong() == version) {
            throw new IllegalArgumentException("v" + version + " is the champion, not a challenger: a champion is replaced "
                    + "by promoting a challenger (the learner's next trial, or `qstream promote`)");
        }
        requireChallenger(state, version, "roll back", "rolled back");
        long champion = state.champion().getAsLong();
        DeploymentDecision d = decision(model, DeploymentAction.ROLLED_BACK, version, champion, reason);
        return append(settings, log, d, timeout, "rolled back v" + version + ": champion v" + champion
                + " serves all traffic; the learner resumes from its weights");
    }

    private static DeploymentState state(List<DeploymentDecision> log) {
        return log.isEmpty() ? DeploymentState.FOLLOW_LATEST : DeploymentState.after(log.get(log.size() - 1));
    }

    private static void requireChallenger(DeploymentState state, long version, String verb, String participle) {
        if (state.followsLatest()) {
            throw new IllegalArgumentException("no promotion gate holds traffic (every new version serves at once); "
                    + "start the learner with --gate to have challengers to " + verb);
        }
        if (state.challenger().isEmpty() || state.challenger().getAsLong() != version) {
            throw new IllegalArgumentException("v" + version + " is not on trial: " + state
                    + (state.challenger().isPresent() ? "; only the challenger can be " + participle : ""));
        }
    }

    private static DeploymentDecision decision(String model, DeploymentAction action, long subject, long champion, String reason) {
        return DeploymentDecision.newBuilder().setModel(model).setAction(action).setSubjectVersion(subject)
                .setChampionVersion(champion).setChallengerVersion(null).setCanaryFraction(0)
                .setDecidedBy(DECIDED_BY).setReason(reason).setEvidence(null).setDecidedAt(Instant.now()).build();
    }

    /** Appends, then reads the log back: if another decision landed in between, the operator hears of it. */
    private static Outcome append(KafkaSettings settings, List<DeploymentDecision> before, DeploymentDecision d,
                                  Duration timeout, String done) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("qstream-operator"))) {
            DeploymentLog.append(producer, settings, d, timeout);
        }
        List<DeploymentDecision> after = DeploymentLog.history(settings, "qstream-operator-check", d.getModel(), timeout);
        int mine = after.lastIndexOf(d);
        DeploymentDecision previous = mine > 0 ? after.get(mine - 1) : null;
        DeploymentDecision expected = before.isEmpty() ? null : before.get(before.size() - 1);
        if (!Objects.equals(previous, expected) || mine != after.size() - 1) {
            return new Outcome(true, done + "\nwarning: another decision was recorded next to this one; the log's order decides: "
                    + DeploymentState.after(after.get(after.size() - 1)));
        }
        return new Outcome(true, done);
    }
}
