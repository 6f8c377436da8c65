package dev.qstream.ops.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.topics.QstreamTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The foundation's promise on a real (embedded) broker: prompts → actor → transitions → scorer → scored → learner
 * → model → actor, with the served model version rising once scored transitions flow, and garbage on every input
 * topic stopping nothing.
 */
class LocalLoopIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void theLoopClosesAndGarbageOnEveryInputTopicStopsNoService() throws Exception {
        try (LoopScenario loop = new LoopScenario(broker.bootstrapServers(), "it").startServices()) {
            assertThat(loop.actor.servedVersion()).isZero();

            // Garbage before any traffic: each service must dead-letter it and carry on.
            byte[] junk = "definitely not avro".getBytes(StandardCharsets.UTF_8);
            for (QstreamTopic topic : List.of(QstreamTopic.PROMPTS, QstreamTopic.TRANSITIONS, QstreamTopic.SCORED, QstreamTopic.MODEL)) {
                loop.produceRaw(topic, "junk".getBytes(StandardCharsets.UTF_8), junk);
            }

            loop.startTraffic(30);
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> loop.actor.servedVersion() >= 2);
            long versionWhenScoredFlowed = loop.actor.servedVersion();
            assertThat(loop.learner.replaySize()).isPositive();
            assertThat(loop.learner.updates()).isPositive();

            // Learning goes on: the served version keeps rising.
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> loop.actor.servedVersion() > versionWhenScoredFlowed);

            List<DeadLetter> letters = loop.deadLetters();
            for (QstreamTopic topic : List.of(QstreamTopic.PROMPTS, QstreamTopic.TRANSITIONS, QstreamTopic.SCORED, QstreamTopic.MODEL)) {
                String name = loop.settings.topic(topic);
                assertThat(letters).as("dead letter from %s", name)
                        .anySatisfy(l -> {
                            assertThat(l.getSourceTopic()).isEqualTo(name);
                            assertThat(l.getReason()).isEqualTo(DeadLetterReason.DESERIALIZATION);
                            assertThat(l.getError()).contains("WRONG_MARKER");
                            assertThat(l.getValue().array()).isEqualTo(junk);
                        });
            }
        }
    }
}
