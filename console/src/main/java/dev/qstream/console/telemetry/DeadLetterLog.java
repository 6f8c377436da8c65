package dev.qstream.console.telemetry;

import dev.qstream.schemas.avro.DeadLetter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The dead-letter topic at a glance: counts per source topic and reason, and the newest letters. */
public final class DeadLetterLog {

    /** How many letters came from one topic for one reason. */
    public record Count(String sourceTopic, String reason, long count) {
    }

    /** A dead letter without its raw bytes. */
    public record Letter(long timestampMillis, String sourceTopic, int partition, long offset, String reason,
                         String consumer, String error) {
    }

    private final int keepNewest;
    private final Map<List<String>, Long> counts = new TreeMap<>((a, b) -> {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    });
    private final ArrayDeque<Letter> newest = new ArrayDeque<>();
    private long total;

    public DeadLetterLog(int keepNewest) {
        this.keepNewest = keepNewest;
    }

    public synchronized void accept(DeadLetter letter) {
        total++;
        counts.merge(List.of(letter.getSourceTopic(), letter.getReason().name()), 1L, Long::sum);
        newest.addFirst(new Letter(letter.getTimestamp().toEpochMilli(), letter.getSourceTopic(), letter.getPartition(),
                letter.getOffset(), letter.getReason().name(), letter.getConsumer(), abbreviate(letter.getError(), 300)));
        while (newest.size() > keepNewest) {
            newest.removeLast();
        }
    }

    public synchronized List<Count> counts() {
        List<Count> out = new ArrayList<>();
        counts.forEach((k, n) -> out.add(new Count(k.get(0), k.get(1), n)));
        return out;
    }

    public synchronized List<Letter> newest(int limit) {
        List<Letter> out = new ArrayList<>();
        Iterator<Letter> it = newest.iterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return out;
    }

    public synchronized long total() {
        return total;
    }

    private static String abbreviate(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
