package dev.qstream.launcher.loop;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.topics.QstreamTopic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The loop-closure check, run against the embedded broker and, where Docker exists, a Kafka container. */
final class LoopClosure {

    private LoopClosure() {
    }

    static void verify(String bootstrap, String prefix) throws Exception {
        try (LoopScenario loop = new LoopScenario(bootstrap, prefix).startServices()) {
            assertThat(loop.actor.servedModelVersion()).isZero();

            // Garbage before any traffic: each service must dead-letter it and carry on.
            byte[] junk = "definitely not avro".getBytes(StandardCharsets.UTF_8);
            List<QstreamTopic> inputs = List.of(QstreamTopic.PROMPTS, QstreamTopic.TRANSITIONS, QstreamTopic.SCORED, QstreamTopic.MODEL);
            for (QstreamTopic topic : inputs) {
                loop.produceRaw(topic, "junk".getBytes(StandardCharsets.UTF_8), junk);
            }

            loop.startTraffic(30);
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> loop.actor.servedModelVersion() >= 2);
            long versionWhenScoredFlowed = loop.actor.servedModelVersion();
            assertThat(loop.learner.replaySize()).isPositive();
            assertThat(loop.learner.updates()).isPositive();

            // Learning goes on: the served version keeps rising.
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> loop.actor.servedModelVersion() > versionWhenScoredFlowed);

            List<DeadLetter> letters = loop.deadLetters();
            for (QstreamTopic topic : inputs) {
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
