package dev.qstream.scorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The scorer's output bytes on a fixed input, compared with a recording: {@code qstream.scored},
 * {@code qstream.generations}, {@code qstream.rewards.late} and {@code qstream.dlq}, every record's key, timestamp,
 * headers and value bytes, in order. The input covers ordered, shuffled, duplicated and interleaved steps, an
 * inconsistent prefix, a step after the done step, malformed bytes, a tombstone, a wrong key, a prompt that comes
 * late, an episode that never completes, and feedback inside, after and without its window. Speed-ups of the scorer
 * must leave these bytes alone; the recordings were made with the scorer before its speed-ups (issue #15).
 * {@code qstream.scored} has since carried one {@code ScoredEpisode} per episode instead of a
 * {@code ScoredTransition} per step: each episode is expanded ({@code ScoredEpisodeSteps.expand}) and every step
 * encoded as the per-step record, which must be the bytes the old scorer wrote, so the change lost and altered
 * nothing; the episode records themselves are compared with a recording of their own ({@code *-episodes.txt}).
 *
 * <p>To record again (only when an output is meant to change, and say why in the commit):
 * {@code ./mvnw -o -pl scorer -am verify -Dtest=ScorerGoldenOutputTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dqstream.golden.record=true}, run from the repository root (the file is written under scorer/src/test/resources).
 */
class ScorerGoldenOutputTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final String[] VOCABULARY = ("the cat sat on a mat dog ran in park red blue green house near river "
            + "old man with hat , . walked slowly under bright sun").split(" ");

    @Test
    void defaultScorerOutputsAreByteForByteTheRecordedOnes() throws IOException {
        check("scorer-outputs-default.txt", ScorerFixture.config(), false);
    }

    @Test
    void feedbackWeightedScorerOutputsAreByteForByteTheRecordedOnes() throws IOException {
        RewardConfig weighted = new RewardConfig(RewardConfig.Metric.ROUGE_L, true, 0.7, 0.3, 0.5, -0.2, 8, 0.01, 0.1,
                RewardConfig.Shaping.TERMINAL);
        FeedbackConfig feedback = FeedbackConfig.defaults().withWindow(Duration.ofMinutes(2))
                .withGrace(Duration.ofSeconds(30)).withRetention(Duration.ofMinutes(20));
        check("scorer-outputs-feedback.txt", ScorerFixture.config().withReward(weighted).withFeedback(feedback)
                .withFeedbackOnlyWithoutReferences(false), true);
    }

    private static void check(String file, ScorerConfig config, boolean weighted) throws IOException {
        List<String> actual;
        List<String> episodes = new ArrayList<>();
        try (ScorerFixture f = new ScorerFixture(config)) {
            drive(f, weighted);
            actual = dump(f, episodes);
        }
        compare(file, actual, 500);
        compare(file.replace(".txt", "-episodes.txt"), episodes, 40);
    }

    /** @param atLeast lines the input must produce for the comparison to be worth anything */
    private static void compare(String file, List<String> actual, int atLeast) throws IOException {
        Path golden = GOLDEN.resolve(file);
        if (Boolean.getBoolean("qstream.golden.record")) {
            Files.write(golden, actual, StandardCharsets.UTF_8);
        }
        List<String> expected = Files.readAllLines(golden, StandardCharsets.UTF_8);
        assertThat(actual).hasSizeGreaterThan(atLeast);
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            assertThat(actual.get(i)).as("output record %d of %s", i, file).isEqualTo(expected.get(i));
        }
        assertThat(actual).hasSameSizeAs(expected);
    }

    /** Feeds the fixed input: everything is seeded, ids included, and the wall clock only moves when told. */
    private static void drive(ScorerFixture f, boolean weighted) {
        Random rnd = new Random(20261130L);
        TestInputTopic<String, byte[]> rawTransitions = f.driver.createInputTopic(
                ScorerFixture.LAYOUT.name(QstreamTopic.TRANSITIONS), new StringSerializer(), new ByteArraySerializer());
        f.prompt("p1", "the cat sat on the mat", "a cat was on the mat");
        f.prompt("p2", "the old man walked slowly near the river , under a bright sun .");
        f.prompt("p3", "red house near the park", "the green house", "a blue house by the river");
        f.prompt("p0"); // no references: feedback-only, or dead-lettered when that is off

        // Ordered episodes, some with action masks (nextValidActions), some copying prompt tokens.
        List<UUID> scoredIds = new ArrayList<>();
        for (int e = 0; e < 30; e++) {
            UUID id = uuid(rnd);
            scoredIds.add(id);
            f.send(steps(id, "p" + (1 + e % 3), f.now(), rnd, 1 + rnd.nextInt(24)));
            f.advance(Duration.ofMillis(37));
        }
        // Shuffled with duplicates, and two episodes interleaved step by step.
        for (int e = 0; e < 6; e++) {
            UUID id = uuid(rnd);
            List<Transition> s = steps(id, "p2", f.now(), rnd, 3 + rnd.nextInt(12));
            List<Transition> delivery = new ArrayList<>(s);
            delivery.addAll(s.subList(0, s.size() / 2));
            Collections.shuffle(delivery, rnd);
            f.send(delivery);
        }
        List<Transition> a = steps(uuid(rnd), "p1", f.now(), rnd, 9);
        List<Transition> b = steps(uuid(rnd), "p3", f.now(), rnd, 9);
        for (int i = 0; i < 9; i++) {
            f.send(a.get(i));
            f.send(b.get(i));
        }
        // A step redelivered after its episode was scored: ignored.
        f.send(a.get(4));

        // A prefix that disagrees with an earlier action: the whole episode is dead-lettered.
        List<Transition> bad = steps(uuid(rnd), "p1", f.now(), rnd, 6);
        bad.get(3).setPrefixTokens(List.of(bad.get(0).getAction(), 999, bad.get(2).getAction()));
        f.send(bad);

        // The done step first, then a step after it (dead-lettered), then the rest.
        List<Transition> late = steps(uuid(rnd), "p3", f.now(), rnd, 5);
        f.send(late.get(4));
        List<Integer> longer = new ArrayList<>(late.get(4).getPrefixTokens());
        longer.addAll(List.of(2, 2, 2));
        Transition after = Transition.newBuilder(late.get(4)).setStep(7).setPrefixTokens(longer).setDone(false)
                .setEndReason(null).build();
        f.send(after);
        f.send(late.subList(0, 4));

        // Malformed bytes, a tombstone, a key that is not the episode id.
        UUID junk = uuid(rnd);
        rawTransitions.pipeInput(junk.toString(), new byte[]{(byte) 0xC3, 0x01, 1, 2, 3}, Instant.ofEpochMilli(f.now()));
        rawTransitions.pipeInput(junk.toString(), "not avro".getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(f.now()));
        rawTransitions.pipeInput(junk.toString(), null, Instant.ofEpochMilli(f.now()));
        Transition wrongKey = steps(uuid(rnd), "p1", f.now(), rnd, 1).get(0);
        f.transitions.pipeInput(junk.toString(), wrongKey, Instant.ofEpochMilli(f.now()));

        // A prompt that is not known yet: the episode waits, and the sweep scores it once the prompt arrives.
        f.send(steps(uuid(rnd), "p9", f.now(), rnd, 7));
        f.advance(Duration.ofSeconds(2));
        f.prompt("p9", "a dog ran in the park");
        f.advance(Duration.ofSeconds(2));

        // Feedback-only (no references), an incomplete episode, feedback for an episode that never comes.
        UUID noRefs = uuid(rnd);
        f.send(steps(noRefs, "p0", f.now(), rnd, 4));
        UUID incomplete = uuid(rnd);
        f.send(steps(incomplete, "p1", f.now(), rnd, 8).subList(0, 5));
        f.send(feedback(rnd, noRefs, 0.8, f.now()));
        f.send(feedback(rnd, uuid(rnd), -0.5, f.now()));

        // Feedback for scored episodes: inside the window (weighted), late (corrections), twice the same id.
        for (int i = 0; i < 10; i++) {
            Feedback fb = feedback(rnd, scoredIds.get(i), rnd.nextDouble() * 2 - 1, f.now());
            f.send(fb);
            if (i % 3 == 0) {
                f.send(fb);
            }
        }
        f.advance(Duration.ofSeconds(90));
        if (weighted) {
            for (int i = 10; i < 16; i++) {
                f.send(feedback(rnd, scoredIds.get(i), 0.25 * (i - 12), f.now()));
            }
        }
        for (int step = 0; step < 8; step++) {
            f.advance(Duration.ofMinutes(1));
            f.send(steps(uuid(rnd), "p" + (1 + step % 3), f.now(), rnd, 2 + rnd.nextInt(10)));
            f.send(feedback(rnd, scoredIds.get(step), 0.1 * step, f.now() - 30_000));
        }
        f.advance(Duration.ofMinutes(30)); // timeouts, windows and retention all run out
        f.send(feedback(rnd, scoredIds.get(20), 1.0, f.now()));
    }

    /** An episode's steps over a small vocabulary: prompt tokens, prefixes and masks as the actor writes them. */
    private static List<Transition> steps(UUID id, String promptId, long doneAt, Random rnd, int length) {
        List<Transition> out = new ArrayList<>();
        List<Integer> prefix = new ArrayList<>();
        List<Integer> promptTokens = new ArrayList<>();
        for (int i = 0, n = 3 + rnd.nextInt(8); i < n; i++) {
            promptTokens.add(5 + rnd.nextInt(300));
        }
        ExplorationStrategy[] strategies = ExplorationStrategy.values();
        ExplorationStrategy strategy = strategies[rnd.nextInt(strategies.length)];
        for (int i = 0; i < length; i++) {
            boolean done = i == length - 1;
            int word = rnd.nextInt(VOCABULARY.length);
            int action = done ? 2 : 10 + word;
            List<Integer> mask = null;
            if (rnd.nextInt(3) == 0) {
                mask = new ArrayList<>(List.of(2, action));
                for (int k = 0; k < rnd.nextInt(6); k++) {
                    mask.add(400 + rnd.nextInt(100));
                }
                Collections.sort(mask);
            }
            out.add(Transition.newBuilder().setEpisodeId(id.toString()).setPromptId(promptId).setActorId("actor-" + (id.hashCode() & 3))
                    .setStep(i).setPromptTokens(promptTokens).setPrefixTokens(new ArrayList<>(prefix)).setAction(action)
                    .setActionToken(done ? "" : VOCABULARY[word]).setValidActions(mask).setDone(done)
                    .setEndReason(done ? (rnd.nextBoolean() ? EndReason.END_OF_SEQUENCE : EndReason.MAX_TOKENS) : null)
                    .setPolicyVersion(rnd.nextInt(50)).setBehaviourProbability(rnd.nextDouble()).setExploration(strategy)
                    .setDecisionMicros(rnd.nextInt(900)).setCreatedAt(doneAt - (length - 1 - i)).build());
            prefix.add(action);
        }
        return out;
    }

    private static Feedback feedback(Random rnd, UUID episode, double value, long givenAt) {
        return Feedback.newBuilder().setFeedbackId(uuid(rnd)).setEpisodeId(episode).setKind(FeedbackKind.RATING)
                .setValue(value).setSource("rater").setCreatedAt(Instant.ofEpochMilli(givenAt)).build();
    }

    private static UUID uuid(Random rnd) {
        return new UUID(rnd.nextLong(), rnd.nextLong());
    }

    /**
     * Every output record as one line: topic, key, timestamp, headers, value bytes (hex); a scored episode as one line
     * per step, the step's per-step record encoded. The episode records' own lines go to {@code episodes}.
     */
    private static List<String> dump(ScorerFixture f, List<String> episodes) {
        HexFormat hex = HexFormat.of();
        List<String> lines = new ArrayList<>();
        for (QstreamTopic topic : List.of(QstreamTopic.SCORED, QstreamTopic.GENERATIONS, QstreamTopic.REWARDS_LATE,
                QstreamTopic.DLQ)) {
            String name = ScorerFixture.LAYOUT.name(topic);
            var out = f.driver.createOutputTopic(name, new StringDeserializer(), new ByteArrayDeserializer());
            for (TestRecord<String, byte[]> r : out.readRecordsToList()) {
                StringBuilder headers = new StringBuilder();
                for (Header h : r.headers()) {
                    headers.append(h.key()).append('=').append(h.value() == null ? "null" : hex.formatHex(h.value())).append(';');
                }
                String prefix = name + " " + r.key() + " " + r.timestamp() + " [" + headers + "] ";
                if (topic == QstreamTopic.SCORED && r.value() != null) {
                    episodes.add(prefix + hex.formatHex(r.value()));
                    for (ScoredTransition step : ScoredEpisodeSteps.expand(Serdes.SCORED_EPISODE.decode(r.value()))) {
                        lines.add(prefix + hex.formatHex(Serdes.SCORED_TRANSITION.encode(step)));
                    }
                } else {
                    lines.add(prefix + (r.value() == null ? "null" : hex.formatHex(r.value())));
                }
            }
        }
        return lines;
    }
}
