package dev.qstream.launcher.loop;

import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the topics say happened to every episode, after a run with faults: which finished (every step up to the done
 * one is on {@code qstream.transitions}) and which a killed actor left unfinished; and the checks that nothing was
 * lost or counted twice.
 */
final class EpisodeAccounting {

    final Map<String, List<Transition>> byEpisode = new HashMap<>();
    final Set<String> finished = new HashSet<>();
    final Set<String> unfinished = new HashSet<>();
    /** {@code <episode>#<step>} of every step of every finished episode. */
    final Set<String> expectedSteps = new HashSet<>();

    private EpisodeAccounting() {
    }

    static EpisodeAccounting read(KafkaSettings settings) {
        EpisodeAccounting a = new EpisodeAccounting();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.TRANSITIONS)) {
            Transition t = Serdes.TRANSITION.decode(r.value());
            a.byEpisode.computeIfAbsent(t.getEpisodeId(), k -> new ArrayList<>()).add(t);
        }
        a.byEpisode.forEach((episode, steps) -> {
            boolean done = steps.stream().anyMatch(Transition::getDone)
                    && steps.size() == 1 + steps.stream().filter(Transition::getDone).mapToInt(Transition::getStep).max().orElse(-1);
            (done ? a.finished : a.unfinished).add(episode);
            if (done) {
                steps.forEach(t -> a.expectedSteps.add(episode + "#" + t.getStep()));
            }
        });
        return a;
    }

    /** Every step of every finished episode is on {@code qstream.scored} exactly once (read_committed), and nothing else. */
    void assertScoredExactlyOnce(KafkaSettings settings) {
        List<String> scored = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.SCORED)) {
            for (ScoredTransition s : ScoredRecords.steps(r.value())) {
                scored.add(s.getTransition().getEpisodeId() + "#" + s.getTransition().getStep());
            }
        }
        assertThat(scored).doesNotHaveDuplicates();
        assertThat(new HashSet<>(scored)).isEqualTo(expectedSteps);
    }

    /** The episodes a killed actor left unfinished are dead letters (EPISODE_TIMEOUT), not silently gone. */
    void assertUnfinishedAreDeadLettered(KafkaSettings settings) {
        Set<String> timedOut = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.DLQ)) {
            DeadLetter d = Serdes.DEAD_LETTER.decode(r.value());
            if (d.getReason() == DeadLetterReason.EPISODE_TIMEOUT && d.getKey() != null) {
                timedOut.add(StandardCharsets.UTF_8.decode(d.getKey()).toString());
            }
        }
        assertThat(timedOut).containsAll(unfinished);
    }

    /** Waits until a topic stops growing for three seconds (at most two minutes). */
    static void awaitStable(KafkaSettings settings, QstreamTopic topic) throws InterruptedException {
        long previous = -1;
        int stable = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (stable < 3 && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            long now = TopicContents.endOffsetSum(settings, topic);
            stable = now == previous ? stable + 1 : 0;
            previous = now;
        }
        assertThat(stable).as(topic + " settles").isGreaterThanOrEqualTo(3);
    }
}
