package dev.qstream.console.telemetry;

import dev.qstream.runtime.metrics.MetricsReporter;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.MetricKind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Everything the metrics topic says, kept in memory: a bounded history per series (whatever its name, so meters
 * added later show up without changes here) and instance liveness from heartbeats.
 */
public final class MetricBoard {

    private final int capacity;
    private final Map<SeriesKey, MetricSeries> series = new LinkedHashMap<>();
    private final InstanceLiveness liveness = new InstanceLiveness();

    /** @param capacity samples kept per series (720 = an hour at the default 5 s interval) */
    public MetricBoard(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be >= 2");
        }
        this.capacity = capacity;
    }

    public void accept(MetricEvent event) {
        long at = event.getTimestamp().toEpochMilli();
        if (event.getKind() == MetricKind.HEARTBEAT || MetricsReporter.HEARTBEAT.equals(event.getName())) {
            liveness.heartbeat(event.getSource(), event.getInstanceId(), at, intervalOf(event));
            return;
        }
        if (!Double.isFinite(event.getValue())) {
            return;
        }
        SeriesKey key = SeriesKey.of(event);
        synchronized (this) {
            series.computeIfAbsent(key, k -> new MetricSeries(k, event.getKind(), capacity)).add(at, event.getValue());
        }
    }

    private static long intervalOf(MetricEvent event) {
        String tag = event.getTags().get("intervalMs");
        if (tag != null) {
            try {
                return Long.parseLong(tag);
            } catch (NumberFormatException e) {
                // fall through to the value
            }
        }
        return Double.isFinite(event.getValue()) ? (long) event.getValue() : 0;
    }

    public InstanceLiveness liveness() {
        return liveness;
    }

    /** Every series of that name, in the order first seen. */
    public List<MetricSeries> named(String name) {
        return matching(s -> s.key().name().equals(name));
    }

    public synchronized List<MetricSeries> matching(Predicate<MetricSeries> filter) {
        List<MetricSeries> out = new ArrayList<>();
        for (MetricSeries s : series.values()) {
            if (filter.test(s)) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing((MetricSeries s) -> s.key().instanceId()).thenComparing(s -> s.key().label()));
        return out;
    }

    /** Every metric name seen, sorted. */
    public synchronized List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        series.keySet().forEach(k -> names.add(k.name()));
        return new ArrayList<>(names);
    }

    /** Sum over instances of the newest value of a metric (e.g. a counter's total across actors); NaN when unseen. */
    public double latestSum(String name, Predicate<SeriesKey> filter) {
        double sum = 0;
        boolean any = false;
        for (MetricSeries s : named(name)) {
            if (filter.test(s.key()) && s.latest() != null) {
                sum += s.latest().value();
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    /** Sum over instances of the newest per-second rate of a counter; NaN when unseen. */
    public double latestRateSum(String name, Predicate<SeriesKey> filter) {
        double sum = 0;
        boolean any = false;
        for (MetricSeries s : named(name)) {
            if (filter.test(s.key()) && s.latestRate() != null) {
                sum += s.latestRate().value();
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }
}
