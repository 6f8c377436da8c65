package dev.qstream.console.telemetry;

import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.DeploymentEvidence;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The deployment decisions read from {@code qstream.deployments} (the newest few hundred) and the state the last one
 * leads to: what status and the dashboard show as who serves, and the promotion and rollback events.
 */
public final class DeploymentHistory {

    /** One decision as the ops tools show it; the evidence fields are null for decisions taken without any. */
    public record Event(long decidedAtMillis, String model, String action, long version, long champion, Long challenger,
                        double canaryFraction, String decidedBy, String reason,
                        Long championEpisodes, Double championReward, Long challengerEpisodes, Double challengerReward,
                        Double lowerBound, Double upperBound) {

        static Event of(DeploymentDecision d) {
            DeploymentEvidence e = d.getEvidence();
            return new Event(d.getDecidedAt().toEpochMilli(), d.getModel(), d.getAction().name(), d.getSubjectVersion(),
                    d.getChampionVersion(), d.getChallengerVersion(), d.getCanaryFraction(), d.getDecidedBy(), d.getReason(),
                    e == null ? null : e.getChampionEpisodes(), e == null ? null : e.getChampionMeanReward(),
                    e == null ? null : e.getChallengerEpisodes(), e == null ? null : e.getChallengerMeanReward(),
                    e == null ? null : e.getLowerBound(), e == null ? null : e.getUpperBound());
        }
    }

    /** Who serves now, as the last decision says; null fields when no gate holds traffic. */
    public record Serving(boolean gated, Long champion, Long challenger, double canaryFraction) {
    }

    private final int capacity;
    private final Deque<Event> events = new ArrayDeque<>();
    private DeploymentState state = DeploymentState.FOLLOW_LATEST;

    public DeploymentHistory(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void accept(DeploymentDecision decision) {
        try {
            state = DeploymentState.after(decision);
        } catch (IllegalArgumentException e) {
            return; // an action this version cannot route by: shown nowhere rather than wrongly
        }
        events.addLast(Event.of(decision));
        while (events.size() > capacity) {
            events.removeFirst();
        }
    }

    public synchronized Serving serving() {
        if (state.followsLatest()) {
            return new Serving(false, null, null, 0);
        }
        return new Serving(true, state.champion().getAsLong(),
                state.challenger().isPresent() ? state.challenger().getAsLong() : null, state.canaryFraction());
    }

    /** The newest decisions first, at most {@code limit}. */
    public synchronized List<Event> newest(int limit) {
        List<Event> out = new ArrayList<>(Math.min(limit, events.size()));
        var it = events.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return out;
    }

    /** Every decision kept, oldest first. */
    public synchronized List<Event> all() {
        return List.copyOf(events);
    }
}
