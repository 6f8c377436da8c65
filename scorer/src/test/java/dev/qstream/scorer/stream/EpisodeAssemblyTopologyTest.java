package dev.qstream.scorer.stream;

import static dev.qstream.scorer.stream.ScorerFixture.episode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Assembly: steps in any order and any number of copies give each step scored once; incomplete episodes time out. */
class EpisodeAssemblyTopologyTest {

    private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", ""};
    private ScorerFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aWholeEpisodeIsScoredOnceWithItsRewardParts() {
        f = new ScorerFixture(ScorerFixture.config());
        f.prompt("p1", "the cat sat on the mat");
        UUID id = UUID.randomUUID();
        f.send(episode(id, "p1", f.now(), WORDS));

        List<ScoredTransition> out = f.scored.readValuesToList();
        assertThat(out).extracting(s -> s.getTransition().getStep()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        double sum = out.stream().mapToDouble(ScoredTransition::getReward).sum();
        // "the cat sat on a mat" vs "the cat sat on the mat": LCS 5 of 6 and 6, F = 5/6.
        assertThat(out.get(0).getEpisodeReward()).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(sum).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(out.get(0).getParts().getMetricName()).isEqualTo("rougeL_f");
        assertThat(out.get(0).getParts().getShaping()).isEqualTo("delta");
        assertThat(out.get(0).getParts().getHumanDefaulted()).isFalse();
        assertThat(out.get(6).getNextValidActions()).isNull();

        List<Episode> summaries = f.generations.readValuesToList();
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).getText()).isEqualTo("the cat sat on a mat");
        assertThat(summaries.get(0).getTokenCount()).isEqualTo(7);
        assertThat(summaries.get(0).getScores().getRougeL()).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(f.dlq.isEmpty()).isTrue();
        assertThat(f.metrics.episodes).isEqualTo(1);
    }

    @Test
    void duplicatedAndOutOfOrderStepsGiveTheSameScoresAsOrderedOnes() {
        f = new ScorerFixture(ScorerFixture.config());
        f.prompt("p1", "the cat sat on the mat");
        UUID ordered = UUID.randomUUID();
        f.send(episode(ordered, "p1", f.now(), WORDS));
        List<Double> expected = f.scored.readValuesToList().stream().map(ScoredTransition::getReward).toList();

        UUID shuffled = UUID.randomUUID();
        List<Transition> steps = episode(shuffled, "p1", f.now(), WORDS);
        List<Transition> delivery = new ArrayList<>(steps);
        delivery.addAll(steps.subList(1, 4)); // three steps delivered twice
        Collections.shuffle(delivery, new Random(3));
        // The done step must not come last for this test to mean anything.
        if (delivery.get(delivery.size() - 1).getDone()) {
            Collections.swap(delivery, 0, delivery.size() - 1);
        }
        f.send(delivery);
        f.send(steps.get(2)); // and once more after the episode was scored

        List<ScoredTransition> out = f.scored.readValuesToList();
        assertThat(out).extracting(s -> s.getTransition().getStep()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(out).extracting(ScoredTransition::getReward).containsExactlyElementsOf(expected);
        assertThat(f.metrics.duplicateSteps).isEqualTo(4);
        f.advance(Duration.ofMinutes(6)); // a late copy must not come back as a timed-out episode
        assertThat(f.dlq.isEmpty()).isTrue();
    }

    @Test
    void anEpisodeThatNeverCompletesIsDeadLetteredOnTheWallClock() {
        f = new ScorerFixture(ScorerFixture.config());
        f.prompt("p1", "the cat sat on the mat");
        UUID id = UUID.randomUUID();
        List<Transition> steps = episode(id, "p1", f.now(), WORDS);
        f.send(steps.subList(0, 2));
        f.advance(Duration.ofMinutes(4));
        assertThat(f.dlq.isEmpty()).isTrue();
        f.advance(Duration.ofMinutes(1).plusSeconds(2));
        DeadLetter letter = f.dlq.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.EPISODE_TIMEOUT);
        assertThat(letter.getError()).isEqualTo("episode " + id + " incomplete after 300 s: 2 steps, no done step");
        assertThat(f.scored.isEmpty()).isTrue();
    }

    @Test
    void aWholeEpisodeWaitsForItsPromptThenTimesOutAsMissingReferences() {
        f = new ScorerFixture(ScorerFixture.config());
        UUID late = UUID.randomUUID();
        f.send(episode(late, "p-late", f.now(), WORDS));
        UUID never = UUID.randomUUID();
        f.send(episode(never, "p-never", f.now(), WORDS));
        assertThat(f.scored.isEmpty()).isTrue();

        f.prompt("p-late", "the cat sat on the mat");
        f.advance(Duration.ofSeconds(1)); // the sweep retries whole episodes
        assertThat(f.scored.readValuesToList()).hasSize(7).allMatch(s -> s.getTransition().getEpisodeId().equals(late.toString()));

        f.advance(Duration.ofMinutes(5));
        DeadLetter letter = f.dlq.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MISSING_REFERENCES);
        assertThat(letter.getError()).contains("prompt p-never never appeared");
    }

    @Test
    void stepsThatDisagreeOnThePromptTokensOrTheActorAreDeadLettered() {
        // The scored episode carries both once, so an episode whose steps disagree cannot be written as it came.
        f = new ScorerFixture(ScorerFixture.config());
        f.prompt("p1", "the cat sat on the mat");
        List<Transition> otherTokens = episode(UUID.randomUUID(), "p1", f.now(), WORDS);
        otherTokens.get(4).setPromptTokens(List.of(7, 9));
        f.send(otherTokens);
        DeadLetter tokens = f.dlq.readValue();
        assertThat(tokens.getReason()).isEqualTo(DeadLetterReason.VALIDATION);
        assertThat(tokens.getError()).isEqualTo("step 4 carries other prompt tokens than step 0");

        List<Transition> otherActor = episode(UUID.randomUUID(), "p1", f.now(), WORDS);
        otherActor.get(2).setActorId("actor-2");
        f.send(otherActor);
        assertThat(f.dlq.readValue().getError()).isEqualTo("step 2 names another actor than step 0");
        assertThat(f.scored.isEmpty()).isTrue();

        f.send(episode(UUID.randomUUID(), "p1", f.now(), WORDS)); // the same steps, consistent: scored
        assertThat(f.scored.readEpisodes()).singleElement().satisfies(e -> {
            assertThat(e.getPromptTokens()).containsExactly(7, 8);
            assertThat(e.getActorId()).isEqualTo("actor-1");
            assertThat(e.getSteps()).hasSize(WORDS.length);
        });
    }

    @Test
    void inconsistentPrefixesStepsAfterDoneAndBadRecordsAreDeadLettered() {
        f = new ScorerFixture(ScorerFixture.config());
        f.prompt("p1", "the cat sat on the mat");
        UUID id = UUID.randomUUID();
        List<Transition> steps = episode(id, "p1", f.now(), WORDS);
        steps.get(3).setPrefixTokens(List.of(100, 999, 102));
        f.send(steps);
        DeadLetter inconsistent = f.dlq.readValue();
        assertThat(inconsistent.getReason()).isEqualTo(DeadLetterReason.VALIDATION);
        assertThat(inconsistent.getError()).isEqualTo("prefix of step 3 disagrees with the action of step 1");

        UUID other = UUID.randomUUID();
        List<Transition> shortOne = episode(other, "p1", f.now(), "cat", "");
        f.send(shortOne.get(1)); // done at step 1
        Transition afterDone = episode(other, "p1", f.now(), "cat", "sat", "").get(2);
        afterDone.setDone(false);
        f.send(afterDone);
        assertThat(f.dlq.readValue().getError()).contains("step 2 comes after the done step of episode " + other);

        Transition negative = episode(UUID.randomUUID(), "p1", f.now(), "x").get(0);
        negative.setStep(-1);
        f.send(negative);
        DeadLetter bad = f.dlq.readValue();
        assertThat(bad.getError()).contains("step is negative: -1");
        assertThat(bad.getOffset()).isGreaterThanOrEqualTo(0);
        assertThat(bad.getValue()).isNotNull();

        Transition wrongKey = episode(UUID.randomUUID(), "p1", f.now(), "x").get(0);
        f.transitions.pipeInput(UUID.randomUUID().toString(), wrongKey);
        assertThat(f.dlq.readValue().getError()).contains("does not match the id in the value");
        assertThat(f.scored.isEmpty()).isTrue();
    }

    @Test
    void promptsWithoutReferencesAreDeadLetteredWhenFeedbackOnlyScoringIsOff() {
        f = new ScorerFixture(ScorerFixture.config().withFeedbackOnlyWithoutReferences(false));
        f.prompt("p0");
        f.send(episode(UUID.randomUUID(), "p0", f.now(), WORDS));
        DeadLetter letter = f.dlq.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MISSING_REFERENCES);
        assertThat(letter.getError()).isEqualTo("prompt p0 has no references and feedback-only scoring is off");
        assertThat(f.scored.isEmpty()).isTrue();
    }

    @Test
    void anEpisodeStoredWholeByAnEarlierReleaseStillCompletesAfterTheUpgrade() {
        f = new ScorerFixture(ScorerFixture.config());
        f.prompt("p1", "the cat sat on the mat");
        UUID id = UUID.randomUUID();
        List<Transition> steps = episode(id, "p1", f.now(), WORDS);
        // What the previous release left in its changelog: the header with its steps inside.
        @SuppressWarnings("unchecked")
        CommitBufferedStore<EpisodeAssembly> store =
                (CommitBufferedStore<EpisodeAssembly>) f.driver.getStateStore(ScorerTopology.EPISODE_STORE);
        store.put(id.toString(), EpisodeAssembly.newBuilder().setEpisodeId(id.toString())
                .setSteps(new ArrayList<>(steps.subList(0, 4))).setFirstSeenAt(f.now()).build());
        f.send(steps.subList(4, 7));
        f.send(steps.get(1)); // a copy of a step the old header held is still a duplicate
        assertThat(f.scored.readValuesToList()).extracting(s -> s.getTransition().getStep()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(f.metrics.duplicateSteps).isEqualTo(1);
    }
}
