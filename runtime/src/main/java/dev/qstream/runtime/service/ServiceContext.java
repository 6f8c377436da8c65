package dev.qstream.runtime.service;

import dev.qstream.runtime.deadletter.DeadLetterPublisher;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.runtime.metrics.MetricsReporter;
import dev.qstream.runtime.metrics.PrometheusEndpoint;
import dev.qstream.runtime.schemas.TopicSchemaDirectory;
import dev.qstream.schemas.serde.SchemaDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Objects;

/**
 * What one running service instance shares across its parts: where Kafka is, its identity, its meter registry
 * (scraped by Prometheus and mirrored to {@code qstream.metrics}) and its dead-letter publisher. Creating one
 * checks that Kafka answers and that every topic exists, so a misconfigured service fails at once, clearly.
 */
public final class ServiceContext implements AutoCloseable {

    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_METRICS_INTERVAL = Duration.ofSeconds(5);

    private final KafkaSettings kafka;
    private final String source;
    private final String instanceId;
    private final PrometheusMeterRegistry registry;
    private final DeadLetterPublisher deadLetters;
    private final MetricsReporter metrics;
    private final TopicSchemaDirectory schemas;
    private PrometheusEndpoint prometheus;

    private ServiceContext(KafkaSettings kafka, String source, String instanceId, Duration metricsInterval) {
        this.kafka = kafka;
        this.source = source;
        this.instanceId = instanceId;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.registry.config().commonTags("service", source, "instance", instanceId);
        this.deadLetters = new DeadLetterPublisher(kafka, DeadLetterPublisher.consumerName(source, instanceId), registry);
        this.metrics = new MetricsReporter(kafka, source, instanceId, registry, metricsInterval).start();
        // Announce the schemas this build writes, and learn those newer writers announce.
        TopicSchemaDirectory.announce(kafka, source + "/" + instanceId);
        this.schemas = new TopicSchemaDirectory(kafka, clientId("schemas"), Duration.ofSeconds(5));
        SchemaDirectory.install(schemas);
    }

    /**
     * Connects (creating missing topics) and starts metric reporting.
     *
     * @throws dev.qstream.runtime.kafka.KafkaUnreachableException when Kafka does not answer within the timeout
     */
    public static ServiceContext start(KafkaSettings kafka, String source, String instanceId,
                                       Duration startupTimeout, Duration metricsInterval) {
        Objects.requireNonNull(instanceId, "instanceId");
        // The context's settings carry the replication factor the topics get (the cluster size's, unless given), so
        // what a service creates itself (Kafka Streams' internal topics) is replicated the same way.
        KafkaSettings resolved = TopicBootstrap.resolveReplication(kafka, startupTimeout);
        TopicBootstrap.ensureTopics(resolved, startupTimeout);
        return new ServiceContext(resolved, source, instanceId, metricsInterval);
    }

    public static ServiceContext start(KafkaSettings kafka, String source, String instanceId) {
        return start(kafka, source, instanceId, DEFAULT_STARTUP_TIMEOUT, DEFAULT_METRICS_INTERVAL);
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public String source() {
        return source;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Client id prefix for this instance's Kafka clients. */
    public String clientId(String role) {
        return source + "-" + instanceId + "-" + role;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition of this instance's meters. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Serves this instance's meters at {@code http://host:port/metrics} for Prometheus until the context closes.
     *
     * @param port 0 picks a free port; the endpoint says which
     */
    public synchronized PrometheusEndpoint exposeMetrics(String host, int port) {
        if (prometheus != null) {
            throw new IllegalStateException("metrics are already served at " + prometheus.url());
        }
        prometheus = PrometheusEndpoint.start(host, port, registry::scrape);
        return prometheus;
    }

    public DeadLetterPublisher deadLetters() {
        return deadLetters;
    }

    public MetricsReporter metrics() {
        return metrics;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (prometheus != null) {
                prometheus.close();
            }
        }
        schemas.close();
        metrics.close();
        deadLetters.flush();
        deadLetters.close();
        registry.close();
    }
}
