package dev.qstream.scorer.stream;

import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * One scorer instance in a JVM of its own, so that {@link ScorerExactlyOnceIT} can kill it the way a machine dies
 * (SIGKILL: no close, no flush, no commit, an open transaction left behind).
 *
 * <p>Arguments: bootstrap servers, state directory, application id.
 */
public final class ScorerChildProcess {

    private ScorerChildProcess() {
    }

    public static void main(String[] args) throws Exception {
        // Transactions of 2 s rather than 100 ms: the test kills the instance while one is open and has records in
        // the log, and a long transaction makes that moment easy to hit (exactly-once works the same either way).
        ScorerConfig config = ScorerConfig.defaults(TopicLayout.defaults(), Path.of(args[1]))
                .withApplicationId(args[2])
                .withEpisodeTimeout(Duration.ofSeconds(60))
                .withCommitInterval(Duration.ofSeconds(2));
        Properties props = ScorerTopology.streamsProperties(config);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        // A dead member leaves the group after 3 s instead of 45 s, so the restarted one gets its tasks quickly.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "3000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "500");
        // Records go to the broker as soon as they are produced, so a killed instance leaves part of its open
        // transaction in the log: what read_committed readers must never see.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        KafkaStreams streams = new KafkaStreams(ScorerTopology.buildTopology(config), props);
        streams.setStateListener((now, before) -> System.out.println("scorer child state " + before + " -> " + now));
        streams.start();
        Thread.currentThread().join(); // until killed
    }
}
