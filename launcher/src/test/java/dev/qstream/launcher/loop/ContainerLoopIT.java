package dev.qstream.launcher.loop;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The loop-closure check against a real Kafka broker in a container (the apache/kafka image). Runs where a Docker
 * engine exists and is skipped cleanly elsewhere; {@link LocalLoopIT} is its embedded-broker twin and always runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerLoopIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Test
    void theLoopClosesOnAContainerizedBroker() throws Exception {
        LoopClosure.verify(KAFKA.getBootstrapServers(), "tc");
    }
}
