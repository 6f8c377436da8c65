package dev.qstream.scorer.stream;

import static dev.qstream.scorer.stream.ScorerFixture.episode;
import static dev.qstream.scorer.stream.ScorerFixture.feedback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.scorer.feedback.FeedbackAggregation;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The feedback join on a driven wall clock. Reward here: ROUGE-L F (5/6 for the episode below) + 0.5 · human, with
 * a default human value of -0.2; window 10 min, grace 1 min.
 */
class FeedbackJoinTopologyTest {

    private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", ""};
    private static final double ROUGE = 5.0 / 6;
    private static final double W = 0.5;
    private static final double DEFAULT = -0.2;
    private static final long MIN = 60_000;

    private ScorerFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    private static ScorerConfig withFeedback(FeedbackConfig feedback) {
        RewardConfig weighted = new RewardConfig(RewardConfig.Metric.ROUGE_L, false, 1, 0, W, DEFAULT, 64, 0, 0,
                RewardConfig.Shaping.DELTA);
        return ScorerFixture.config().withReward(weighted).withFeedback(feedback);
    }

    /** Starts the fixture and completes one episode now; returns its id. */
    private UUID completeEpisode(ScorerConfig config) {
        f = new ScorerFixture(config);
        f.prompt("p1", "the cat sat on the mat");
        UUID id = UUID.randomUUID();
        f.send(episode(id, "p1", f.now(), WORDS));
        return id;
    }

    private static UUID fid(int n) {
        return UUID.fromString(String.format("00000000-0000-0000-0000-%012d", n));
    }

    @Test
    void anEpisodeIsHeldUntilItsWindowClosesAndJoinsTheFeedbackGivenInside() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults()));
        long doneAt = f.now();
        assertThat(f.scored.isEmpty()).as("held while its window is open").isTrue();
        f.advance(Duration.ofMinutes(1));
        f.send(feedback(id, fid(1), 0.8, doneAt + MIN));
        f.advance(Duration.ofMinutes(9)); // the window (10 min) has passed, the grace (1 min) has not
        assertThat(f.scored.isEmpty()).isTrue();
        f.advance(Duration.ofMinutes(1));

        List<ScoredTransition> out = f.scored.readValuesToList();
        assertThat(out).hasSize(7);
        ScoredTransition last = out.get(6);
        assertThat(last.getParts().getHuman()).isEqualTo(0.8);
        assertThat(last.getParts().getHumanDefaulted()).isFalse();
        assertThat(last.getEpisodeReward()).isCloseTo(ROUGE + W * 0.8, within(1e-12));
        assertThat(out.stream().mapToDouble(ScoredTransition::getReward).sum()).isCloseTo(ROUGE + W * 0.8, within(1e-12));
        assertThat(f.generations.readValue().getScores().getHuman()).isEqualTo(0.8);
        assertThat(f.late.isEmpty()).isTrue();
        assertThat(f.metrics.windowsClosed).isEqualTo(1);
        assertThat(f.metrics.joinedEvents).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"EARLIEST, -0.5", "LATEST, 0.5", "MEAN, 0.3333333333333333", "MIN, -0.5", "MAX, 1.0", "SUM, 1.0"})
    void severalEventsAreAggregatedByTheConfiguredMode(FeedbackAggregation mode, double expected) {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults().withAggregation(mode)));
        long doneAt = f.now();
        // Delivered out of the order in which they were given.
        f.send(feedback(id, fid(3), 0.5, doneAt + 3 * MIN));
        f.send(feedback(id, fid(1), -0.5, doneAt + MIN));
        f.send(feedback(id, fid(2), 1.0, doneAt + 2 * MIN));
        f.advance(Duration.ofMinutes(11));
        ScoredTransition last = f.scored.readValuesToList().get(6);
        assertThat(last.getParts().getHuman()).isCloseTo(expected, within(1e-15));
        assertThat(last.getEpisodeReward()).isCloseTo(ROUGE + W * expected, within(1e-12));
    }

    @Test
    void withoutFeedbackTheDefaultGoesOutOnTheWallClockThoughNoRecordArrives() {
        completeEpisode(withFeedback(FeedbackConfig.defaults()));
        f.advance(Duration.ofMinutes(10).plusSeconds(59));
        assertThat(f.scored.isEmpty()).isTrue();
        f.advance(Duration.ofSeconds(1));
        List<ScoredTransition> out = f.scored.readValuesToList();
        assertThat(out).hasSize(7);
        assertThat(out.get(6).getParts().getHuman()).isNull();
        assertThat(out.get(6).getParts().getHumanDefaulted()).isTrue();
        assertThat(out.get(6).getEpisodeReward()).isCloseTo(ROUGE + W * DEFAULT, within(1e-12));
        assertThat(f.metrics.defaulted).isEqualTo(1);
        assertThat(f.metrics.joinedEvents).isZero();
    }

    @Test
    void feedbackAfterTheWindowBecomesCorrectionsAgainstTheEmittedReward() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults()));
        long doneAt = f.now();
        f.send(feedback(id, fid(1), 0.4, doneAt + MIN));
        f.advance(Duration.ofMinutes(11));
        assertThat(f.scored.readValuesToList().get(6).getParts().getHuman()).isEqualTo(0.4);

        f.advance(Duration.ofMinutes(5));
        f.send(feedback(id, fid(2), -0.6, doneAt + 16 * MIN)); // mean of 0.4 and -0.6 = -0.1
        RewardCorrection c = f.late.readValue();
        assertThat(c.getEpisodeId()).isEqualTo(id);
        assertThat(c.getFeedbackId()).isEqualTo(fid(2));
        assertThat(c.getStep()).isEqualTo(6);
        assertThat(c.getPreviousHuman()).isEqualTo(0.4);
        assertThat(c.getHuman()).isCloseTo(-0.1, within(1e-15));
        assertThat(c.getDelta()).isCloseTo(W * (-0.1 - 0.4), within(1e-15));

        f.send(feedback(id, fid(3), 1.0, doneAt + 17 * MIN)); // mean of 0.4, -0.6, 1.0 = 0.2667, against -0.1 now
        RewardCorrection second = f.late.readValue();
        assertThat(second.getPreviousHuman()).isCloseTo(-0.1, within(1e-15));
        assertThat(second.getHuman()).isCloseTo(0.8 / 3, within(1e-15));
        assertThat(second.getDelta()).isCloseTo(W * (0.8 / 3 + 0.1), within(1e-15));
        assertThat(f.scored.isEmpty()).as("a correction never re-emits the episode").isTrue();
        assertThat(f.metrics.lateFeedback).isEqualTo(2);
    }

    @Test
    void feedbackGivenAfterTheWindowButDeliveredInTheGraceIsACorrectionNotPartOfTheReward() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults()));
        long doneAt = f.now();
        f.advance(Duration.ofMinutes(10).plusSeconds(30));
        f.send(feedback(id, fid(1), 0.9, doneAt + 10 * MIN + 30_000));
        assertThat(f.late.isEmpty()).as("nothing to correct before the episode is emitted").isTrue();
        f.advance(Duration.ofSeconds(30));

        ScoredTransition last = f.scored.readValuesToList().get(6);
        assertThat(last.getParts().getHumanDefaulted()).isTrue();
        RewardCorrection c = f.late.readValue();
        assertThat(c.getPreviousHuman()).isEqualTo(DEFAULT);
        assertThat(c.getHuman()).isEqualTo(0.9);
        assertThat(c.getDelta()).isCloseTo(W * (0.9 - DEFAULT), within(1e-15));
    }

    @Test
    void theSameFeedbackIdCountsOnce() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults()));
        long doneAt = f.now();
        Feedback once = feedback(id, fid(1), 1.0, doneAt + MIN);
        f.send(once);
        f.send(once);
        f.send(feedback(id, fid(1), -1.0, doneAt + 2 * MIN)); // same id, other content: still the same event
        f.send(feedback(id, fid(2), 0.0, doneAt + 3 * MIN));
        f.advance(Duration.ofMinutes(11));
        assertThat(f.scored.readValuesToList().get(6).getParts().getHuman()).isEqualTo(0.5); // mean of 1.0 and 0.0
        assertThat(f.metrics.duplicateFeedback).isEqualTo(2);

        Feedback late = feedback(id, fid(3), -1.0, doneAt + 20 * MIN);
        f.send(late);
        f.send(late);
        assertThat(f.late.readValuesToList()).hasSize(1);
        assertThat(f.metrics.duplicateFeedback).isEqualTo(3);
    }

    @Test
    void emitOnFirstFeedbackClosesTheWindowAtOnce() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults().withEmitOnFirstFeedback(true)));
        long doneAt = f.now();
        f.send(feedback(id, fid(1), -1.0, doneAt + MIN));
        ScoredTransition last = f.scored.readValuesToList().get(6);
        assertThat(last.getParts().getHuman()).isEqualTo(-1.0);
        f.send(feedback(id, fid(2), 1.0, doneAt + 2 * MIN));
        RewardCorrection c = f.late.readValue();
        assertThat(c.getPreviousHuman()).isEqualTo(-1.0);
        assertThat(c.getHuman()).isEqualTo(0.0);
        f.advance(Duration.ofMinutes(12)); // the stale close timer finds nothing to do
        assertThat(f.scored.isEmpty()).isTrue();
        assertThat(f.metrics.episodes).isEqualTo(1);
    }

    @Test
    void feedbackThatArrivesBeforeItsEpisodeIsAssembledStillJoins() {
        f = new ScorerFixture(withFeedback(FeedbackConfig.defaults()));
        f.prompt("p1", "the cat sat on the mat");
        UUID id = UUID.randomUUID();
        long doneAt = f.now();
        f.send(feedback(id, fid(1), 0.6, doneAt + 1000));
        f.send(episode(id, "p1", doneAt, WORDS));
        f.advance(Duration.ofMinutes(11));
        assertThat(f.scored.readValuesToList().get(6).getParts().getHuman()).isEqualTo(0.6);
        f.advance(Duration.ofMinutes(5)); // its orphan timer finds it taken
        assertThat(f.dlq.isEmpty()).isTrue();
        assertThat(f.late.isEmpty()).isTrue();
    }

    @Test
    void withHumanWeightZeroEpisodesGoOutAtOnceAndFeedbackStillLeavesATrace() {
        UUID id = completeEpisode(ScorerFixture.config()); // defaults: human weight 0
        assertThat(f.scored.readValuesToList()).hasSize(7);
        f.send(feedback(id, fid(1), 1.0, f.now() + MIN));
        RewardCorrection c = f.late.readValue();
        assertThat(c.getHuman()).isEqualTo(1.0);
        assertThat(c.getDelta()).isZero();
        assertThat(f.dlq.isEmpty()).isTrue();
    }

    @Test
    void aPromptWithoutReferencesIsScoredFromFeedbackAlone() {
        f = new ScorerFixture(ScorerFixture.config()); // human weight 0: feedback-only episodes still wait for it
        f.prompt("p0");
        UUID id = UUID.randomUUID();
        long doneAt = f.now();
        f.send(episode(id, "p0", doneAt, WORDS));
        assertThat(f.scored.isEmpty()).isTrue();
        f.send(feedback(id, fid(1), 0.6, doneAt + MIN));
        f.advance(Duration.ofMinutes(11));
        List<ScoredTransition> out = f.scored.readValuesToList();
        assertThat(out.get(6).getParts().getMetricName()).isEqualTo("none");
        assertThat(out.get(6).getEpisodeReward()).isEqualTo(0.6);
        assertThat(out.get(6).getReward()).isEqualTo(0.6);
        assertThat(out.get(0).getReward()).isZero();

        f.send(feedback(id, fid(2), -0.4, doneAt + 20 * MIN));
        assertThat(f.late.readValue().getDelta()).isCloseTo(1.0 * (0.1 - 0.6), within(1e-15));
    }

    @Test
    void feedbackForAnUnknownEpisodeIsDeadLetteredAfterTheEpisodeTimeout() {
        f = new ScorerFixture(withFeedback(FeedbackConfig.defaults()));
        UUID nobody = UUID.randomUUID();
        f.send(feedback(nobody, fid(1), 0.5, f.now()));
        f.advance(Duration.ofMinutes(4));
        assertThat(f.dlq.isEmpty()).isTrue();
        f.advance(Duration.ofMinutes(1));
        DeadLetter letter = f.dlq.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.VALIDATION);
        assertThat(letter.getError()).contains("is for an unknown or expired episode " + nobody);
        assertThat(Serdes.FEEDBACK.decode(letter.getValue().array()).getFeedbackId()).isEqualTo(fid(1));
    }

    @Test
    void aScoredEpisodeIsForgottenAfterItsRetentionAndLaterFeedbackIsDeadLettered() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults().withRetention(Duration.ofMinutes(30))));
        long doneAt = f.now();
        f.advance(Duration.ofMinutes(11));
        assertThat(f.scored.readValuesToList()).hasSize(7);
        f.send(feedback(id, fid(1), 0.5, doneAt + 20 * MIN));
        assertThat(f.late.readValuesToList()).hasSize(1); // still remembered
        f.advance(Duration.ofMinutes(30));
        f.send(feedback(id, fid(2), 0.5, doneAt + 45 * MIN));
        assertThat(f.late.isEmpty()).isTrue();
        f.advance(Duration.ofMinutes(5));
        assertThat(f.dlq.readValue().getError()).contains("unknown or expired episode " + id);
    }

    @Test
    void invalidFeedbackIsDeadLetteredWithItsCoordinates() {
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults()));
        f.send(feedback(id, fid(1), 1.5, f.now()));
        DeadLetter outOfRange = f.dlq.readValue();
        assertThat(outOfRange.getReason()).isEqualTo(DeadLetterReason.VALIDATION);
        assertThat(outOfRange.getError()).contains("feedback value must be a finite number in [-1, 1], got 1.5");
        assertThat(outOfRange.getSourceTopic()).isEqualTo("qstream.feedback");
        assertThat(outOfRange.getOffset()).isZero();

        f.feedback.pipeInput(UUID.randomUUID().toString(), feedback(id, fid(2), 0.5, f.now()));
        assertThat(f.dlq.readValue().getError()).contains("does not match the id in the value");
        f.feedback.pipeInput(id.toString(), null);
        assertThat(f.dlq.readValue().getError()).isEqualTo("feedback value is missing (null)");
        f.advance(Duration.ofMinutes(11));
        assertThat(f.scored.readValuesToList().get(6).getParts().getHumanDefaulted()).isTrue();
        assertThat(f.metrics.feedbackReceived).isZero();
    }

    @Test
    void undecodableFeedbackDoesNotStopTheScorer() {
        // Streams' deserialization handler takes it (the driver does not capture what a handler writes; BadInputIT
        // checks that dead letter on a real broker for transitions, through the same handler class).
        UUID id = completeEpisode(withFeedback(FeedbackConfig.defaults()));
        var raw = f.driver.createInputTopic("qstream.feedback", new StringSerializer(),
                new ByteArraySerializer());
        raw.pipeInput(id.toString(), "not avro".getBytes(StandardCharsets.UTF_8));
        f.send(feedback(id, fid(1), 0.5, f.now()));
        f.advance(Duration.ofMinutes(11));
        assertThat(f.scored.readValuesToList().get(6).getParts().getHuman()).isEqualTo(0.5);
        assertThat(f.metrics.feedbackReceived).isEqualTo(1);
    }
}
