package dev.qstream.runtime.metrics;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.MetricKind;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a service's Micrometer meters to {@code qstream.metrics} every interval, plus a heartbeat, so that
 * dashboards, {@code ./qstream status} and the {@code up} summary read everything from one topic. The same meters
 * are what Prometheus scrapes: one set of numbers, two ways out.
 */
public final class MetricsReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsReporter.class);
    public static final String HEARTBEAT = "heartbeat";

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String source;
    private final String instanceId;
    private final MeterRegistry registry;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;

    public MetricsReporter(KafkaSettings settings, String source, String instanceId, MeterRegistry registry, Duration interval) {
        Properties props = settings.producer(source + "-" + instanceId + "-metrics");
        // Metrics must never hold a service up: while Kafka is away, give up on a sample after a few seconds.
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG,
                String.valueOf(Math.min(3000, Long.parseLong(props.getProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG)))));
        this.producer = new KafkaProducer<>(props);
        this.topic = settings.topic(QstreamTopic.METRICS);
        this.source = source;
        this.instanceId = instanceId;
        this.registry = registry;
        this.interval = interval;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, source + "-metrics-reporter");
            t.setDaemon(true);
            return t;
        });
    }

    public MetricsReporter start() {
        scheduler.scheduleAtFixedRate(this::publishSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void publishSafely() {
        try {
            publishNow();
        } catch (RuntimeException e) {
            LOG.warn("could not publish metrics: {}", e.getMessage());
        }
    }

    /** Sends one sample of every meter plus a heartbeat; returns how many events were sent. */
    public int publishNow() {
        Instant now = Instant.now();
        List<MetricEvent> events = new ArrayList<>();
        events.add(event(HEARTBEAT, MetricKind.HEARTBEAT, interval.toMillis(), Map.of("intervalMs", String.valueOf(interval.toMillis())), now));
        for (Meter meter : registry.getMeters()) {
            events.addAll(toEvents(meter, now));
        }
        byte[] key = source.getBytes(StandardCharsets.UTF_8);
        int sent = 0;
        for (MetricEvent e : events) {
            try {
                producer.send(new ProducerRecord<>(topic, key, Serdes.METRIC_EVENT.encode(e)));
                sent++;
            } catch (KafkaException ex) {
                // Kafka is away: drop this sample (the next one carries the same meters) rather than block.
                LOG.debug("metrics sample dropped: {}", ex.getMessage());
                break;
            }
        }
        return sent;
    }

    /**
     * Publishes one event now, outside the periodic snapshot: for discrete results that must keep their own tags,
     * such as one held-out evaluation of one model version.
     */
    public void publish(String name, MetricKind kind, double value, Map<String, String> tags) {
        producer.send(new ProducerRecord<>(topic, source.getBytes(StandardCharsets.UTF_8),
                Serdes.METRIC_EVENT.encode(event(name, kind, value, tags, Instant.now()))));
        producer.flush();
    }

    private List<MetricEvent> toEvents(Meter meter, Instant now) {
        String name = meter.getId().getName();
        Map<String, String> tags = new HashMap<>();
        for (Tag tag : meter.getId().getTags()) {
            tags.put(tag.getKey(), tag.getValue());
        }
        List<MetricEvent> out = new ArrayList<>();
        if (meter instanceof Gauge g) {
            add(out, name, MetricKind.GAUGE, g.value(), tags, now);
        } else if (meter instanceof Counter c) {
            add(out, name, MetricKind.COUNTER, c.count(), tags, now);
        } else if (meter instanceof FunctionCounter c) {
            add(out, name, MetricKind.COUNTER, c.count(), tags, now);
        } else if (meter instanceof Timer t) {
            HistogramSnapshot snapshot = t.takeSnapshot();
            add(out, name, MetricKind.TIMER, snapshot.mean(TimeUnit.MILLISECONDS), with(tags, "statistic", "mean"), now);
            add(out, name, MetricKind.TIMER, snapshot.max(TimeUnit.MILLISECONDS), with(tags, "statistic", "max"), now);
            add(out, name, MetricKind.COUNTER, snapshot.count(), with(tags, "statistic", "count"), now);
            for (ValueAtPercentile p : snapshot.percentileValues()) {
                add(out, name, MetricKind.TIMER, p.value(TimeUnit.MILLISECONDS), with(tags, "statistic", "p" + percentileLabel(p.percentile())), now);
            }
        } else if (meter instanceof DistributionSummary s) {
            HistogramSnapshot snapshot = s.takeSnapshot();
            add(out, name, MetricKind.GAUGE, snapshot.mean(), with(tags, "statistic", "mean"), now);
            add(out, name, MetricKind.GAUGE, snapshot.max(), with(tags, "statistic", "max"), now);
            add(out, name, MetricKind.COUNTER, snapshot.count(), with(tags, "statistic", "count"), now);
            for (ValueAtPercentile p : snapshot.percentileValues()) {
                add(out, name, MetricKind.GAUGE, p.value(), with(tags, "statistic", "p" + percentileLabel(p.percentile())), now);
            }
        }
        return out;
    }

    private static String percentileLabel(double percentile) {
        double p = percentile * 100;
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }

    private void add(List<MetricEvent> out, String name, MetricKind kind, double value, Map<String, String> tags, Instant now) {
        if (Double.isFinite(value)) {
            out.add(event(name, kind, value, tags, now));
        }
    }

    private MetricEvent event(String name, MetricKind kind, double value, Map<String, String> tags, Instant now) {
        return MetricEvent.newBuilder()
                .setSource(source)
                .setInstanceId(instanceId)
                .setName(name)
                .setKind(kind)
                .setValue(value)
                .setTags(new HashMap<>(tags))
                .setTimestamp(now)
                .build();
    }

    private static Map<String, String> with(Map<String, String> tags, String key, String value) {
        Map<String, String> copy = new HashMap<>(tags);
        copy.put(key, value);
        return copy;
    }

    /** Publishes a last sample (so the final counts are on the topic) and stops. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            publishNow();
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("could not publish final metrics: {}", e.getMessage());
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
