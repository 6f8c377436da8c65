package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/** A scorer topology in a TopologyTestDriver, with builders for its inputs and readers for its outputs. */
final class ScorerFixture implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final TopicLayout LAYOUT = TopicLayout.defaults();

    final ScorerConfig config;
    final RecordingMetrics metrics = new RecordingMetrics();
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> prompts;
    final TestInputTopic<String, Transition> transitions;
    final TestInputTopic<String, Feedback> feedback;
    final ScoredOutput scored;
    final TestOutputTopic<String, Episode> generations;
    final TestOutputTopic<String, RewardCorrection> late;
    final TestOutputTopic<String, DeadLetter> dlq;

    ScorerFixture(ScorerConfig config) {
        this.config = config;
        Properties props = ScorerTopology.streamsProperties(config);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        this.driver = new TopologyTestDriver(ScorerTopology.buildTopology(config, metrics), props, T0);
        StringSerializer keys = new StringSerializer();
        StringDeserializer keyReader = new StringDeserializer();
        this.prompts = driver.createInputTopic(LAYOUT.name(QstreamTopic.PROMPTS), keys, new ByteArraySerializer());
        this.transitions = driver.createInputTopic(LAYOUT.name(QstreamTopic.TRANSITIONS), keys, Serdes.TRANSITION.serializer());
        this.feedback = driver.createInputTopic(LAYOUT.name(QstreamTopic.FEEDBACK), keys, Serdes.FEEDBACK.serializer());
        this.scored = new ScoredOutput(driver.createOutputTopic(LAYOUT.name(QstreamTopic.SCORED), keyReader,
                Serdes.SCORED_EPISODE.deserializer()));
        this.generations = driver.createOutputTopic(LAYOUT.name(QstreamTopic.GENERATIONS), keyReader, Serdes.EPISODE.deserializer());
        this.late = driver.createOutputTopic(LAYOUT.name(QstreamTopic.REWARDS_LATE), keyReader, Serdes.REWARD_CORRECTION.deserializer());
        this.dlq = driver.createOutputTopic(LAYOUT.name(QstreamTopic.DLQ), keyReader, Serdes.DEAD_LETTER.deserializer());
    }

    /** Defaults with a fresh state dir and a 1 s punctuation, so that advancing the clock fires it predictably. */
    static ScorerConfig config() {
        try {
            Path dir = Files.createTempDirectory("scorer-ttd-");
            return ScorerConfig.defaults(LAYOUT, dir).withPunctuateEvery(Duration.ofSeconds(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long now() {
        return T0.toEpochMilli() + elapsed;
    }

    private long elapsed;

    /** Moves the wall clock (the punctuators fire as they fall due). */
    void advance(Duration d) {
        elapsed += d.toMillis();
        driver.advanceWallClockTime(d);
    }

    void prompt(String id, String... references) {
        Prompt p = Prompt.newBuilder().setPromptId(id).setText("describe " + id).setReferences(List.of(references))
                .setTask("test").setCreatedAt(T0).build();
        prompts.pipeInput(id, Serdes.PROMPT.encode(p), T0);
    }

    /** The steps of an episode whose actions spell {@code words}; the last one is done. */
    static List<Transition> episode(UUID id, String promptId, long doneAt, String... words) {
        List<Transition> steps = new ArrayList<>();
        List<Integer> prefix = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            boolean done = i == words.length - 1;
            steps.add(Transition.newBuilder().setEpisodeId(id.toString()).setPromptId(promptId).setActorId("actor-1")
                    .setStep(i).setPromptTokens(List.of(7, 8)).setPrefixTokens(new ArrayList<>(prefix)).setAction(100 + i)
                    .setActionToken(words[i]).setValidActions(null).setDone(done)
                    .setEndReason(done ? EndReason.END_OF_SEQUENCE : null).setPolicyVersion(3)
                    .setBehaviourProbability(0.9).setExploration(ExplorationStrategy.GREEDY)
                    .setCreatedAt(doneAt - (words.length - 1 - i)).build());
            prefix.add(100 + i);
        }
        return steps;
    }

    void send(Transition t) {
        transitions.pipeInput(t.getEpisodeId(), t, Instant.ofEpochMilli(t.getCreatedAt()));
    }

    void send(List<Transition> steps) {
        steps.forEach(this::send);
    }

    static Feedback feedback(UUID episode, UUID id, double value, long givenAt) {
        return Feedback.newBuilder().setFeedbackId(id).setEpisodeId(episode).setKind(FeedbackKind.RATING)
                .setValue(value).setSource("rater").setCreatedAt(Instant.ofEpochMilli(givenAt)).build();
    }

    void send(Feedback f) {
        feedback.pipeInput(f.getEpisodeId().toString(), f, f.getCreatedAt());
    }

    @Override
    public void close() {
        driver.close();
        // The driver leaves its RocksDB directories behind.
        try (var paths = Files.walk(config.stateDir())) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts what the topology reports. */
    static final class RecordingMetrics implements ScorerMetrics {
        int episodes;
        int defaulted;
        int duplicateSteps;
        int feedbackReceived;
        int duplicateFeedback;
        int windowsClosed;
        int joinedEvents;
        int lateFeedback;
        final List<String> deadLetters = new ArrayList<>();
        long lastLag = Long.MIN_VALUE;

        @Override
        public void episodeScored(long policyVersion, double episodeReward, int steps, boolean humanDefaulted) {
            episodes++;
            if (humanDefaulted) {
                defaulted++;
            }
        }

        @Override
        public void duplicateStep() {
            duplicateSteps++;
        }

        @Override
        public void deadLettered(String reason) {
            deadLetters.add(reason);
        }

        @Override
        public void feedbackReceived() {
            feedbackReceived++;
        }

        @Override
        public void duplicateFeedback() {
            duplicateFeedback++;
        }

        @Override
        public void windowClosed(int joined) {
            windowsClosed++;
            joinedEvents += joined;
        }

        @Override
        public void lateFeedback() {
            lateFeedback++;
        }

        @Override
        public void processingLag(long millis) {
            lastLag = millis;
        }
    }

    /** qstream.scored as its episodes, or as the scored transitions per step they expand to. */
    record ScoredOutput(TestOutputTopic<String, ScoredEpisode> topic) {

        boolean isEmpty() {
            return topic.isEmpty();
        }

        List<ScoredEpisode> readEpisodes() {
            return topic.readValuesToList();
        }

        /** Every step of every episode written since the last read, in order. */
        List<ScoredTransition> readValuesToList() {
            List<ScoredTransition> steps = new ArrayList<>();
            for (ScoredEpisode e : topic.readValuesToList()) {
                steps.addAll(ScoredEpisodeSteps.expand(e));
            }
            return steps;
        }
    }
}
