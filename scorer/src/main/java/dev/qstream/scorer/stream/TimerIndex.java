package dev.qstream.scorer.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * Due times of the join's deadlines (window closes, orphan feedback, forgetting scored episodes) as a sorted,
 * key-only store (a {@link CommitBufferedStore} of long-lived entries): {@code <kind>|<due ms, 16 digits>|<id>}. A punctuation reads only what is due, in due
 * order, with one range scan, instead of decoding every held value. A timer whose subject has meanwhile gone (a
 * window closed early, an episode forgotten) is simply found stale and dropped by its handler.
 */
final class TimerIndex {

    /** What a timer is for. */
    enum Kind {
        CLOSE("c"), ORPHAN("o"), FORGET("f");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }
    }

    /** A due timer. */
    record Timer(String key, long due, String id) {
    }

    /** The most timers of one kind handled in one punctuation, so that one sweep never outlasts a transaction. */
    static final int MAX_PER_SWEEP = 50_000;

    private final CommitBufferedStore<String> store;

    TimerIndex(CommitBufferedStore<String> store) {
        this.store = store;
    }

    void schedule(Kind kind, long due, String id) {
        store.put(key(kind, due, id), "");
    }

    /** Timers of this kind due at or before {@code now}, earliest first. */
    List<Timer> due(Kind kind, long now) {
        List<Timer> out = new ArrayList<>();
        // Upper bound "<kind>|<now + 1>|" sorts before every key due at now + 1 and after every key due at now.
        for (String k : store.range(key(kind, 0, ""), key(kind, now + 1, ""), MAX_PER_SWEEP).keySet()) {
            int second = k.indexOf('|', kind.tag.length() + 1);
            out.add(new Timer(k, Long.parseLong(k.substring(kind.tag.length() + 1, second)), k.substring(second + 1)));
        }
        return out;
    }

    void cancel(Timer timer) {
        store.remove(timer.key());
    }

    private static String key(Kind kind, long due, String id) {
        String digits = Long.toString(Math.max(0, due));
        return kind.tag + '|' + "0".repeat(Math.max(0, 16 - digits.length())) + digits + '|' + id;
    }
}
