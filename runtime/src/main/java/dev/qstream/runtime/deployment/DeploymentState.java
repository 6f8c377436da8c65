package dev.qstream.runtime.deployment;

import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;

import java.util.OptionalLong;

/**
 * Who serves which traffic, as the last decision on {@code qstream.deployments} says: every decision record carries
 * the whole resulting state (champion, challenger, canary share), so the state is simply the newest record and a
 * restart that replays the log ends where it was. With no record at all (no gate ever ran), or after a
 * {@code FOLLOW_LATEST} record, the newest published version serves all traffic, as without a gate.
 */
public final class DeploymentState {

    /** No gate: the newest version serves everything. */
    public static final DeploymentState FOLLOW_LATEST = new DeploymentState(null);

    private final DeploymentDecision last;

    private DeploymentState(DeploymentDecision last) {
        this.last = last;
    }

    /** The state after {@code decision} (records of other models leave it unchanged). */
    public static DeploymentState after(DeploymentDecision decision) {
        if (decision.getAction() == DeploymentAction.FOLLOW_LATEST) {
            return new DeploymentState(decision); // keeps the record for history, routes like FOLLOW_LATEST
        }
        if (decision.getAction() == DeploymentAction.UNKNOWN) {
            throw new IllegalArgumentException("deployment action unknown to this version of qstream; upgrade it");
        }
        return new DeploymentState(decision);
    }

    /** True when no gate holds traffic: the newest version serves everything. */
    public boolean followsLatest() {
        return last == null || last.getAction() == DeploymentAction.FOLLOW_LATEST;
    }

    /** The version serving all non-canary traffic; empty while following the latest. */
    public OptionalLong champion() {
        return followsLatest() ? OptionalLong.empty() : OptionalLong.of(last.getChampionVersion());
    }

    /** The version on trial, if any. */
    public OptionalLong challenger() {
        return followsLatest() || last.getChallengerVersion() == null ? OptionalLong.empty()
                : OptionalLong.of(last.getChallengerVersion());
    }

    /** The share of episodes the challenger gets (0 without one). */
    public double canaryFraction() {
        return challenger().isPresent() ? last.getCanaryFraction() : 0.0;
    }

    /** True when the episode belongs to the canary share of the current trial. */
    public boolean routesToChallenger(String episodeId) {
        return challenger().isPresent() && CanaryAssignment.inCanary(episodeId, canaryFraction());
    }

    /** The decision this state came from; null when no decision was ever taken. */
    public DeploymentDecision lastDecision() {
        return last;
    }

    /** Same routing (champion, challenger, share), whatever the reasons. */
    public boolean sameRouting(DeploymentState other) {
        return followsLatest() == other.followsLatest() && champion().equals(other.champion())
                && challenger().equals(other.challenger()) && canaryFraction() == other.canaryFraction();
    }

    @Override
    public String toString() {
        if (followsLatest()) {
            return "newest version serves all traffic";
        }
        return "champion v" + last.getChampionVersion() + challenger().stream()
                .mapToObj(c -> ", challenger v" + c + " on " + Math.round(canaryFraction() * 1000) / 10.0 + "%")
                .findFirst().orElse("");
    }
}
