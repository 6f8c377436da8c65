package dev.qstream.actor.experience;

import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SamplingAdderTest {

    private final CollectingAdder emitted = new CollectingAdder();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong scorerLag = new AtomicLong();
    private final TrainingBacklog backlog = new TrainingBacklog(
            new TrainingBacklog.Policy(100, 0.05, Duration.ofSeconds(1), Map.of("q-scorer", "q.transitions")),
            () -> new TrainingBacklog.Reading(List.of(new GroupLag("q-scorer", scorerLag.get(), Map.of("q.transitions", scorerLag.get()), 1)),
                    Map.of("q.transitions", 1_000_000L)), registry);
    private final SamplingAdder adder = new SamplingAdder(emitted, backlog, registry);

    /** Runs one three-step episode through the adder, changing the backlog between its steps. */
    private UUID episode(Random random, long lagAfterFirstStep) {
        UUID id = new UUID(random.nextLong(), random.nextLong());
        for (int step = 0; step < 3; step++) {
            adder.add(Transition.newBuilder().setEpisodeId(id.toString()).setPromptId("p").setActorId("a").setStep(step)
                    .setPromptTokens(List.of()).setPrefixTokens(List.of()).setAction(5).setActionToken("w")
                    .setBehaviourProbability(1.0).setPolicyVersion(0).setExploration(ExplorationStrategy.GREEDY)
                    .setValidActions(null).setDone(step == 2).setEndReason(null).setCreatedAt(0L).build());
            if (step == 0) {
                scorerLag.set(lagAfterFirstStep);
                backlog.refresh();
            }
        }
        adder.episodeEnded(Episode.newBuilder().setEpisodeId(id).setPromptId("p").setActorId("a").setPrompt("x")
                .setText("w w w").setTokenCount(3).setPolicyVersion(0).setExploration(ExplorationStrategy.GREEDY)
                .setEndReason(EndReason.END_OF_SEQUENCE).setCreatedAt(Instant.EPOCH).build());
        return id;
    }

    @Test
    void overTheBoundEpisodesAreHeldBackWholeAndTheirSummariesSaySo() {
        Random random = new Random(3);
        scorerLag.set(200); // share (100/200)^2 = 0.25
        backlog.refresh();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // The backlog moves between steps: the decision made at step 0 must hold for the whole episode.
            ids.add(episode(random, i % 2 == 0 ? 0 : 200));
        }
        Map<String, Long> stepsPerEpisode = emitted.transitions().stream()
                .collect(Collectors.groupingBy(Transition::getEpisodeId, Collectors.counting()));
        assertThat(stepsPerEpisode.values()).as("emitted whole or not at all").allMatch(n -> n == 3);
        assertThat(emitted.episodes()).as("every episode is served").hasSize(400);
        long keptCount = emitted.episodes().stream().filter(Episode::getKeptForTraining).count();
        long heldBack = 400 - keptCount;
        assertThat(heldBack).isPositive();
        assertThat(keptCount).isPositive();
        for (Episode e : emitted.episodes()) {
            String id = e.getEpisodeId().toString();
            assertThat(stepsPerEpisode.containsKey(id)).as(id).isEqualTo(e.getKeptForTraining());
            assertThat(adder.heldBack(e.getEpisodeId())).isEqualTo(!e.getKeptForTraining());
        }
        assertThat(registry.get("actor.training.sampled.out").counter().count()).isEqualTo(heldBack);
        assertThat(registry.get("actor.training.kept").counter().count()).isEqualTo(keptCount);
    }

    @Test
    void underTheBoundEverythingGoesOut() {
        Random random = new Random(4);
        for (int i = 0; i < 50; i++) {
            episode(random, 10);
        }
        assertThat(emitted.transitions()).hasSize(150);
        assertThat(emitted.episodes()).allMatch(Episode::getKeptForTraining);
        assertThat(registry.get("actor.training.sampled.out").counter().count()).isZero();
    }
}
