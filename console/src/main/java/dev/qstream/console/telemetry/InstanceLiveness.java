package dev.qstream.console.telemetry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Up/down per instance from heartbeats: every service's metrics reporter sends one per interval (the interval
 * travels with it), and an instance silent for {@value #MISSED_INTERVALS_FOR_DOWN} intervals shows as down. Judged
 * by the heartbeats' own timestamps, so replaying old heartbeats never makes a dead instance look alive.
 */
public final class InstanceLiveness {

    public static final int MISSED_INTERVALS_FOR_DOWN = 3;
    /** The reporters' default, used when a heartbeat does not say its interval. */
    public static final long DEFAULT_INTERVAL_MILLIS = 5_000;

    private record Beat(long atMillis, long intervalMillis) {
    }

    private final Map<List<String>, Beat> beats = new HashMap<>();

    public synchronized void heartbeat(String source, String instanceId, long atMillis, long intervalMillis) {
        long interval = intervalMillis > 0 ? intervalMillis : DEFAULT_INTERVAL_MILLIS;
        beats.merge(List.of(source, instanceId), new Beat(atMillis, interval),
                (old, beat) -> beat.atMillis() >= old.atMillis() ? beat : old);
    }

    /** Every instance ever heard of, up or down as of {@code nowMillis}, sorted by source then instance. */
    public synchronized List<InstanceState> states(long nowMillis) {
        List<InstanceState> out = new ArrayList<>();
        beats.forEach((id, beat) -> {
            long silent = Math.max(0, nowMillis - beat.atMillis());
            out.add(new InstanceState(id.get(0), id.get(1), beat.atMillis(), beat.intervalMillis(), silent,
                    silent < MISSED_INTERVALS_FOR_DOWN * beat.intervalMillis()));
        });
        out.sort(Comparator.comparing(InstanceState::source).thenComparing(InstanceState::instanceId));
        return out;
    }
}
