package dev.qstream.console.telemetry;

import dev.qstream.schemas.avro.MetricKind;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The recent history of one series, bounded to {@code capacity} samples. For counters it also keeps the rate per
 * second between consecutive samples, which is what charts of counters show (updates/s, tokens/s): a counter that
 * goes down means the instance restarted, and that interval gives no rate rather than a negative one. Thread-safe:
 * the dashboard's reader adds while page renders read.
 */
public final class MetricSeries {

    private final SeriesKey key;
    private final MetricKind kind;
    private final int capacity;
    private final ArrayDeque<MetricPoint> values = new ArrayDeque<>();
    private final ArrayDeque<MetricPoint> rates = new ArrayDeque<>();

    MetricSeries(SeriesKey key, MetricKind kind, int capacity) {
        this.key = key;
        this.kind = kind;
        this.capacity = capacity;
    }

    /** Adds a sample; one not newer than the last is a replayed duplicate and is ignored. */
    synchronized void add(long timeMillis, double value) {
        MetricPoint last = values.peekLast();
        if (last != null && timeMillis <= last.timeMillis()) {
            return;
        }
        if (kind == MetricKind.COUNTER && last != null && value >= last.value()) {
            push(rates, new MetricPoint(timeMillis, (value - last.value()) * 1000.0 / (timeMillis - last.timeMillis())));
        }
        push(values, new MetricPoint(timeMillis, value));
    }

    private void push(ArrayDeque<MetricPoint> deque, MetricPoint p) {
        deque.addLast(p);
        while (deque.size() > capacity) {
            deque.removeFirst();
        }
    }

    public SeriesKey key() {
        return key;
    }

    public MetricKind kind() {
        return kind;
    }

    public synchronized List<MetricPoint> values() {
        return new ArrayList<>(values);
    }

    /** Per-second rates of a counter (empty for other kinds). */
    public synchronized List<MetricPoint> rates() {
        return new ArrayList<>(rates);
    }

    public synchronized MetricPoint latest() {
        return values.peekLast();
    }

    /** The newest rate, or null when there is none yet. */
    public synchronized MetricPoint latestRate() {
        return rates.peekLast();
    }
}
