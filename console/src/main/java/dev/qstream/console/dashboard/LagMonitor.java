package dev.qstream.console.dashboard;

import dev.qstream.runtime.kafka.ConsumerLagReader;
import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.console.telemetry.MetricPoint;
import dev.qstream.runtime.concurrent.Worker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Polls consumer lag on its own thread (Admin calls can take seconds when the cluster is busy, and must never hold
 * up the page) and keeps a bounded history of each group's total lag for the lag chart. The latest lag per group
 * and topic is also a gauge ({@code qstream.consumer.lag}) in the ops registry, so Prometheus and Grafana see it too.
 */
final class LagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    private final ConsumerLagReader reader;
    private final Duration every;
    private final int capacity;
    private final Map<String, ArrayDeque<MetricPoint>> history = new TreeMap<>();
    private final Worker worker;
    private volatile List<GroupLag> latest = List.of();
    private volatile String error;
    private final MultiGauge gauge;

    LagMonitor(ConsumerLagReader reader, Duration every, int capacity, MeterRegistry registry) {
        this.reader = reader;
        this.gauge = MultiGauge.builder("qstream.consumer.lag").description("records a consumer group is behind")
                .baseUnit("records").register(registry);
        this.every = every;
        this.capacity = capacity;
        this.worker = Worker.named("dashboard-lag").daemon(true).interruptOnStop().build(() -> {
            pollOnce();
            Thread.sleep(every.toMillis());
        });
    }

    LagMonitor start() {
        worker.start();
        return this;
    }

    /** Reads lag once and records it (the thread's step; tests call it directly). */
    void pollOnce() {
        try {
            List<GroupLag> lags = reader.read(Duration.ofSeconds(10));
            long now = System.currentTimeMillis();
            synchronized (history) {
                for (GroupLag g : lags) {
                    ArrayDeque<MetricPoint> points = history.computeIfAbsent(g.group(), k -> new ArrayDeque<>());
                    points.addLast(new MetricPoint(now, g.totalLag()));
                    while (points.size() > capacity) {
                        points.removeFirst();
                    }
                }
            }
            latest = lags;
            error = null;
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (GroupLag g : lags) {
                g.lagByTopic().forEach((topic, n) -> rows.add(MultiGauge.Row.of(Tags.of("group", g.group(), "topic", topic), n)));
            }
            gauge.register(rows, true);
        } catch (RuntimeException e) {
            if (worker.running()) {
                error = e.getMessage();
                LOG.warn("consumer lag: {}", e.getMessage());
            }
        }
    }

    List<GroupLag> latest() {
        return latest;
    }

    /** Why the last read failed, or null. */
    String error() {
        return error;
    }

    Map<String, List<MetricPoint>> history() {
        Map<String, List<MetricPoint>> copy = new LinkedHashMap<>();
        synchronized (history) {
            history.forEach((g, points) -> copy.put(g, new ArrayList<>(points)));
        }
        return copy;
    }

    @Override
    public void close() {
        worker.close();
        reader.close();
    }
}
