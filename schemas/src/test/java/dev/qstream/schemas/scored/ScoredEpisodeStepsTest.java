package dev.qstream.schemas.scored;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.DecodeFailure;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScoredEpisodeStepsTest {

    @Test
    void expandingAPackedEpisodeGivesBackEveryStepByteForByte() {
        Random rnd = new Random(7);
        for (int e = 0; e < 500; e++) {
            List<ScoredTransition> steps = randomEpisode(rnd, 1 + rnd.nextInt(30));
            ScoredEpisode packed = ScoredEpisodeSteps.pack(steps);
            // Through the wire too: what a consumer decodes expands to what the scorer would have written per step.
            List<ScoredTransition> back = ScoredEpisodeSteps.expand(Serdes.SCORED_EPISODE.decode(Serdes.SCORED_EPISODE.encode(packed)));
            assertThat(back).hasSameSizeAs(steps);
            for (int i = 0; i < steps.size(); i++) {
                assertThat(Serdes.SCORED_TRANSITION.encode(back.get(i))).as("episode %d step %d", e, i)
                        .isEqualTo(Serdes.SCORED_TRANSITION.encode(steps.get(i)));
            }
        }
    }

    @Test
    void oneRecordPerEpisodeIsMuchSmallerThanARecordPerStep() {
        List<ScoredTransition> steps = randomEpisode(new Random(3), 20);
        int perStep = steps.stream().mapToInt(s -> Serdes.SCORED_TRANSITION.encode(s).length).sum();
        int perEpisode = Serdes.SCORED_EPISODE.encode(ScoredEpisodeSteps.pack(steps)).length;
        // Each per-step record repeats the ids, the prompt, the prefix so far and the reward parts.
        assertThat(perEpisode).isLessThan(perStep / 3);
    }

    @Test
    void packRefusesStepsThatAreNotOneWholeConsistentEpisode() {
        Random rnd = new Random(11);
        List<ScoredTransition> steps = randomEpisode(rnd, 5);
        assertThatThrownBy(() -> ScoredEpisodeSteps.pack(List.of())).hasMessageContaining("at least one step");
        assertThatThrownBy(() -> ScoredEpisodeSteps.pack(steps.subList(0, 4))).hasMessageContaining("not done");
        assertThatThrownBy(() -> ScoredEpisodeSteps.pack(steps.subList(1, 5))).hasMessageContaining("says it is step 1");

        List<ScoredTransition> badPrefix = copy(steps);
        badPrefix.get(3).getTransition().setPrefixTokens(List.of(1, 2, 3));
        assertThatThrownBy(() -> ScoredEpisodeSteps.pack(badPrefix)).hasMessageContaining("prefix disagrees");

        List<ScoredTransition> otherPrompt = copy(steps);
        otherPrompt.get(2).getTransition().setPromptTokens(List.of(9));
        assertThatThrownBy(() -> ScoredEpisodeSteps.pack(otherPrompt)).hasMessageContaining("other prompt tokens");

        List<ScoredTransition> badMask = copy(steps);
        badMask.get(1).setNextValidActions(List.of(4, 5));
        assertThatThrownBy(() -> ScoredEpisodeSteps.pack(badMask)).hasMessageContaining("next mask");
    }

    @Test
    void aReaderOfTheScoredTopicTakesEpisodesAndAnOlderScorersPerStepRecords() {
        List<ScoredTransition> steps = randomEpisode(new Random(5), 6);
        byte[] episode = Serdes.SCORED_EPISODE.encode(ScoredEpisodeSteps.pack(steps));
        byte[] oneStep = Serdes.SCORED_TRANSITION.encode(steps.get(2));

        assertThat(ScoredRecords.isSingleStep(episode)).isFalse();
        assertThat(ScoredRecords.isSingleStep(oneStep)).isTrue();
        assertThat(ScoredRecords.steps(episode)).extracting(s -> s.getTransition().getStep()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(ScoredRecords.steps(oneStep)).singleElement()
                .satisfies(s -> assertThat(Serdes.SCORED_TRANSITION.encode(s)).isEqualTo(oneStep));

        // Anything else is a decode failure a consumer dead-letters, not a guess.
        byte[] prompt = Serdes.PROMPT.encode(dev.qstream.schemas.avro.Prompt.newBuilder().setPromptId("p").setText("t")
                .setCreatedAt(java.time.Instant.EPOCH).build());
        assertThatThrownBy(() -> ScoredRecords.steps(prompt)).isInstanceOf(AvroDecodeException.class)
                .satisfies(e -> assertThat(((AvroDecodeException) e).failure()).isEqualTo(DecodeFailure.UNKNOWN_FINGERPRINT));
        assertThatThrownBy(() -> ScoredRecords.steps(Arrays.copyOf(episode, episode.length / 2)))
                .isInstanceOf(AvroDecodeException.class);
    }

    @Test
    void theValidatorChecksEveryStepOfAScoredEpisode() {
        RecordValidator validator = new RecordValidator(ValidationLimits.withVocabulary(1_000));
        ScoredEpisode good = ScoredEpisodeSteps.pack(randomEpisode(new Random(9), 4));
        assertThat(validator.validate(good)).isEmpty();

        ScoredEpisode nan = ScoredEpisode.newBuilder(good).build();
        nan.getSteps().get(2).setReward(Double.NaN);
        assertThat(validator.validate(nan)).containsExactly("steps[2].reward is not finite: NaN");

        ScoredEpisode outside = ScoredEpisode.newBuilder(good).build();
        outside.getSteps().get(1).setValidActions(null);
        outside.getSteps().get(1).setAction(5_000);
        assertThat(validator.validate(outside)).singleElement().asString().contains("steps[1].action").contains("outside the vocabulary");

        ScoredEpisode empty = ScoredEpisode.newBuilder(good).setSteps(List.of()).setEpisodeId("not-a-uuid").build();
        assertThat(validator.validate(empty)).contains("scored episode has no steps")
                .anySatisfy(v -> assertThat(v).contains("episodeId is not a UUID"));
    }

    private static List<ScoredTransition> copy(List<ScoredTransition> steps) {
        List<ScoredTransition> out = new ArrayList<>();
        for (ScoredTransition s : steps) {
            out.add(ScoredTransition.newBuilder(s).setTransition(Transition.newBuilder(s.getTransition()).build()).build());
        }
        return out;
    }

    /** An episode's steps as the scorer wrote them per step: shared prompt, growing prefix, next masks, one done. */
    static List<ScoredTransition> randomEpisode(Random rnd, int length) {
        String id = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
        List<Integer> prompt = new ArrayList<>();
        for (int i = 0, n = 1 + rnd.nextInt(12); i < n; i++) {
            prompt.add(4 + rnd.nextInt(900));
        }
        RewardParts parts = RewardParts.newBuilder().setMetricName("rougeL_f").setMetric(rnd.nextDouble())
                .setBleu(100 * rnd.nextDouble()).setHuman(rnd.nextBoolean() ? null : rnd.nextDouble() * 2 - 1)
                .setHumanDefaulted(rnd.nextBoolean()).setShaping(rnd.nextBoolean() ? "delta" : "terminal").build();
        ExplorationStrategy[] strategies = ExplorationStrategy.values();
        List<Transition> transitions = new ArrayList<>();
        List<Integer> prefix = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            boolean done = i == length - 1;
            int action = 4 + rnd.nextInt(900);
            List<Integer> mask = null;
            if (rnd.nextInt(3) == 0) {
                mask = new ArrayList<>(List.of(action));
                for (int k = 0, n = rnd.nextInt(5); k < n; k++) {
                    int extra = 4 + rnd.nextInt(900);
                    if (!mask.contains(extra)) {
                        mask.add(extra);
                    }
                }
                mask.sort(null);
            }
            transitions.add(Transition.newBuilder().setEpisodeId(id).setPromptId("p-" + rnd.nextInt(5)).setActorId("actor-1")
                    .setStep(i).setPromptTokens(prompt).setPrefixTokens(new ArrayList<>(prefix)).setAction(action)
                    .setActionToken(done ? "" : "w" + action).setValidActions(mask).setDone(done)
                    .setEndReason(done ? EndReason.values()[rnd.nextInt(EndReason.values().length)] : null)
                    .setPolicyVersion(rnd.nextInt(40)).setBehaviourProbability(rnd.nextDouble())
                    .setExploration(strategies[rnd.nextInt(strategies.length)]).setDecisionMicros(rnd.nextInt(5_000))
                    .setCreatedAt(1_800_000_000_000L + i).build());
            prefix.add(action);
        }
        String promptId = transitions.get(0).getPromptId();
        transitions.forEach(t -> t.setPromptId(promptId));
        double total = 0;
        double[] rewards = new double[length];
        for (int i = 0; i < length; i++) {
            rewards[i] = rnd.nextGaussian();
            total += rewards[i];
        }
        long scoredAt = 1_800_000_001_000L;
        List<ScoredTransition> out = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            out.add(new ScoredTransition(transitions.get(i), rewards[i], total,
                    i + 1 < length ? transitions.get(i + 1).getValidActions() : null, parts, scoredAt));
        }
        return out;
    }
}
