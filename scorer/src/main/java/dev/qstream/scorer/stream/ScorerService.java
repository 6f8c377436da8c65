package dev.qstream.scorer.stream;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.deadletter.DeadLetterPublisher;
import dev.qstream.runtime.service.ServiceContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/** Runs the scorer topology: wires Kafka settings, metrics and the Streams lifecycle; the logic is in the topology. */
public final class ScorerService implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

    private ScorerService(ScorerConfig config, ServiceContext context) {
        Properties props = streamsClientProperties(context.kafka(), context.clientId("streams"), context.instanceId(), config);
        props.put(DeadLetterExceptionHandlers.METER_REGISTRY, context.registry());
        this.streams = new KafkaStreams(ScorerTopology.buildTopology(config, new MicrometerScorerMetrics(context.registry())), props);
        streams.setUncaughtExceptionHandler(e -> {
            // A stream thread can be replaced; the global (prompt table) thread cannot, so the client stops.
            boolean global = Thread.currentThread().getName().contains("GlobalStreamThread");
            LOG.error("scorer {} thread failed; {}: {}", global ? "global" : "stream", global ? "stopping" : "replacing it", e.toString(), e);
            return global ? StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT
                    : StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("scorer state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /** The Kafka Streams client's settings: the service's Kafka settings, the topology's, and the two below. */
    static Properties streamsClientProperties(KafkaSettings kafka, String clientId, String instanceId, ScorerConfig config) {
        Properties props = kafka.common(clientId);
        props.putAll(ScorerTopology.streamsProperties(config));
        // Streams builds its own producer, so the compression every other qstream producer uses is handed over
        // explicitly (without it the scorer's output, read by clients in any language, would be uncompressed).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), kafka.compressionType());
        // Static membership: a scorer restarted under the same instance id (after a crash, too) takes its tasks back
        // at once instead of waiting out the dead member's session timeout (45 s). Streams suffixes it per thread.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        // Dead letters name their writer service/instance, as every other service's do.
        props.put(DeadLetterExceptionHandlers.CONSUMER_NAME, DeadLetterPublisher.consumerName("scorer", instanceId));
        return props;
    }

    public static ScorerService start(ScorerConfig config, ServiceContext context) {
        ScorerService service = new ScorerService(config, context);
        service.streams.start();
        return service;
    }

    @Override
    public String failure() {
        KafkaStreams.State s = streams.state();
        return s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR || (stopped.getCount() == 0 && !closing)
                ? "Kafka Streams client is " + s : null;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        closing = true;
        // A static member stays in the group after a plain close; leaving hands its tasks on now if it does not return.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
