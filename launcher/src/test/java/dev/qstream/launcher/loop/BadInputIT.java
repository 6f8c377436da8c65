package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.SchemaHistory;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One test per bad-input kind, on the embedded broker with the real services: the bad record lands in
 * {@code qstream.dlq} with a useful reason, and the service goes on to consume the next good record (its consumer
 * group commits past it).
 */
class BadInputIT {

    private static EmbeddedKafkaBroker broker;
    private static LoopScenario loop;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        loop = new LoopScenario(broker.bootstrapServers(), "bad").startServices();
        producer = new KafkaProducer<>(loop.settings.producer("bad-input-test"));
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        loop.close();
        broker.close();
    }

    // ---- the actor's input: prompts ----

    @Test
    void wrongMarkerBytesOnPrompts() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.PROMPTS, key("p-bad"), "plain text, no marker".getBytes(StandardCharsets.UTF_8),
                DeadLetterReason.DESERIALIZATION, "WRONG_MARKER", goodPrompt());
    }

    @Test
    void emptyValueOnPrompts() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.PROMPTS, key("p-empty"), new byte[0],
                DeadLetterReason.DESERIALIZATION, "EMPTY", goodPrompt());
    }

    @Test
    void oversizedPrompt() throws Exception {
        Prompt big = prompt("p-big");
        big.setText("word ".repeat(5_000));
        expectDeadLetterThenProgress(QstreamTopic.PROMPTS, key("p-big"), Serdes.PROMPT.encode(big),
                DeadLetterReason.VALIDATION, "over the limit of 8192", goodPrompt());
    }

    // ---- the scorer's input: transitions ----

    @Test
    void unknownFingerprintOnTransitions() throws Exception {
        byte[] bytes = Serdes.TRANSITION.encode(transition(UUID.randomUUID(), 0, true).build());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(2, 0x1234_5678_9ABC_DEF0L);
        expectDeadLetterThenProgress(QstreamTopic.TRANSITIONS, key("e-unknown"), bytes,
                DeadLetterReason.DESERIALIZATION, "UNKNOWN_FINGERPRINT", goodTransition());
    }

    @Test
    void missingKeyOnTransitions() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.TRANSITIONS, null, Serdes.TRANSITION.encode(transition(UUID.randomUUID(), 0, true).build()),
                DeadLetterReason.VALIDATION, "record key is missing", goodTransition());
    }

    @Test
    void negativeStepOnTransitions() throws Exception {
        UUID episode = UUID.randomUUID();
        Transition t = transition(episode, 0, true).setStep(-1).build();
        expectDeadLetterThenProgress(QstreamTopic.TRANSITIONS, key(episode.toString()), Serdes.TRANSITION.encode(t),
                DeadLetterReason.VALIDATION, "step is negative: -1", goodTransition());
    }

    @Test
    void unknownEnumSymbolOnTransitions() throws Exception {
        UUID episode = UUID.randomUUID();
        expectDeadLetterThenProgress(QstreamTopic.TRANSITIONS, key(episode.toString()), withEnumIndexOutOfRange(transition(episode, 0, true).build()),
                DeadLetterReason.DESERIALIZATION, "MALFORMED", goodTransition());
    }

    @Test
    void tombstoneOnTransitions() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.TRANSITIONS, key(UUID.randomUUID().toString()), null,
                DeadLetterReason.VALIDATION, "value is missing", goodTransition());
    }

    // ---- the learner's input: scored transitions ----

    @Test
    void truncatedBytesOnScored() throws Exception {
        UUID episode = UUID.randomUUID();
        byte[] bytes = Serdes.SCORED_EPISODE.encode(scored(episode, 0.5));
        expectDeadLetterThenProgress(QstreamTopic.SCORED, key(episode.toString()), Arrays.copyOf(bytes, bytes.length / 2),
                DeadLetterReason.DESERIALIZATION, "TRUNCATED", goodScored());
    }

    @Test
    void tokenIdOutOfRangeOnScored() throws Exception {
        UUID episode = UUID.randomUUID();
        ScoredEpisode s = scored(episode, 0.5);
        s.getSteps().get(0).setAction(loop.vocabulary.size() + 5);
        s.getSteps().get(0).setValidActions(null);
        expectDeadLetterThenProgress(QstreamTopic.SCORED, key(episode.toString()), Serdes.SCORED_EPISODE.encode(s),
                DeadLetterReason.VALIDATION, "is outside the vocabulary", goodScored());
    }

    @Test
    void nanRewardOnScored() throws Exception {
        UUID episode = UUID.randomUUID();
        expectDeadLetterThenProgress(QstreamTopic.SCORED, key(episode.toString()), Serdes.SCORED_EPISODE.encode(scored(episode, Double.NaN)),
                DeadLetterReason.VALIDATION, "reward is not finite: NaN", goodScored());
    }

    /** A per-step record, as a scorer from before ScoredEpisode wrote them: still read, so still checked. */
    @Test
    void infiniteRewardInAnOlderScorersPerStepRecord() throws Exception {
        UUID episode = UUID.randomUUID();
        expectDeadLetterThenProgress(QstreamTopic.SCORED, key(episode.toString()),
                Serdes.SCORED_TRANSITION.encode(step(episode, Double.NEGATIVE_INFINITY)),
                DeadLetterReason.VALIDATION, "reward is not finite: -Infinity", goodScored());
    }

    @Test
    void wrongKeyOnPrompts() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.PROMPTS, key("not-the-prompt-id"), Serdes.PROMPT.encode(prompt("p-keyed")),
                DeadLetterReason.VALIDATION, "does not match the id in the value 'p-keyed'", goodPrompt());
    }

    @Test
    void missingKeyOnScored() throws Exception {
        UUID episode = UUID.randomUUID();
        expectDeadLetterThenProgress(QstreamTopic.SCORED, null, Serdes.SCORED_EPISODE.encode(scored(episode, 0.5)),
                DeadLetterReason.VALIDATION, "record key is missing", goodScored());
    }

    @Test
    void garbageBytesOnFeedback() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.FEEDBACK, key(UUID.randomUUID().toString()), new byte[]{(byte) 0xC3, 0x01, 1, 2, 3},
                DeadLetterReason.DESERIALIZATION, "truncated", goodFeedback());
    }

    @Test
    void garbageBytesOnLateRewards() throws Exception {
        UUID episode = UUID.randomUUID();
        expectDeadLetterThenProgress(QstreamTopic.REWARDS_LATE, key(episode.toString()), "not a correction".getBytes(StandardCharsets.UTF_8),
                DeadLetterReason.DESERIALIZATION, "WRONG_MARKER", goodCorrection());
    }

    @Test
    void nonFiniteDeltaOnLateRewards() throws Exception {
        UUID episode = UUID.randomUUID();
        expectDeadLetterThenProgress(QstreamTopic.REWARDS_LATE, key(episode.toString()),
                Serdes.REWARD_CORRECTION.encode(correction(episode, Double.NaN)),
                DeadLetterReason.VALIDATION, "delta is not finite: NaN", goodCorrection());
    }

    @Test
    void wrongKeyOnLateRewards() throws Exception {
        expectDeadLetterThenProgress(QstreamTopic.REWARDS_LATE, key(UUID.randomUUID().toString()),
                Serdes.REWARD_CORRECTION.encode(correction(UUID.randomUUID(), 0.1)),
                DeadLetterReason.VALIDATION, "does not match the id in the value", goodCorrection());
    }

    @Test
    void garbageBytesOnDeployments() throws Exception {
        expectDeploymentDeadLetterThenProgress(key("qnet"), "not a decision".getBytes(StandardCharsets.UTF_8),
                DeadLetterReason.DESERIALIZATION, "WRONG_MARKER");
    }

    @Test
    void unknownActionOnDeployments() throws Exception {
        expectDeploymentDeadLetterThenProgress(key("qnet"), Serdes.DEPLOYMENT_DECISION.encode(
                decision(DeploymentAction.UNKNOWN, "from the future")), DeadLetterReason.VALIDATION, "unknown to this version");
    }

    @Test
    void wrongKeyOnDeployments() throws Exception {
        expectDeploymentDeadLetterThenProgress(key("another-model"), Serdes.DEPLOYMENT_DECISION.encode(
                decision(DeploymentAction.FOLLOW_LATEST, "mis-keyed")), DeadLetterReason.VALIDATION, "does not match");
    }

    // ---- helpers ----

    private static DeploymentDecision decision(DeploymentAction action, String reason) {
        return DeploymentDecision.newBuilder().setModel("qnet").setAction(action).setSubjectVersion(0).setChampionVersion(0)
                .setChallengerVersion(null).setCanaryFraction(0).setDecidedBy("operator").setReason(reason).setEvidence(null)
                .setDecidedAt(Instant.now()).build();
    }

    /**
     * A bad record on the deployment log is dead-lettered by the actor (which routes by the log) with the reason, and
     * the good decision after it is applied: the actor keeps following. (The log is read by every follower without
     * a consumer group, so there is no committed offset to check; the applied decision is the progress.)
     */
    private void expectDeploymentDeadLetterThenProgress(byte[] key, byte[] value, DeadLetterReason reason, String errorContains)
            throws Exception {
        String name = loop.settings.topic(QstreamTopic.DEPLOYMENTS);
        RecordMetadata bad = producer.send(new ProducerRecord<>(name, 0, key, value)).get();
        String marker = "good decision after a bad one " + UUID.randomUUID();
        producer.send(new ProducerRecord<>(name, 0, key("qnet"),
                Serdes.DEPLOYMENT_DECISION.encode(decision(DeploymentAction.FOLLOW_LATEST, marker)))).get();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(loop.deadLetters()).as("dead letter for %s@%d", name, bad.offset()).anySatisfy(l -> {
                    assertThat(l.getSourceTopic()).isEqualTo(name);
                    assertThat(l.getOffset()).isEqualTo(bad.offset());
                    assertThat(l.getReason()).isEqualTo(reason);
                    assertThat(l.getError()).contains(errorContains);
                    assertThat(l.getConsumer()).isEqualTo("actor/actor-it");
                }));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                loop.actor.deployment().lastDecision() != null && loop.actor.deployment().lastDecision().getReason().equals(marker));
        assertThat(loop.actor.deployment().followsLatest()).isTrue();
    }

    private record Good(QstreamTopic topic, byte[] key, byte[] value) {
    }

    private void expectDeadLetterThenProgress(QstreamTopic topic, byte[] key, byte[] value, DeadLetterReason reason,
                                              String errorContains, Good good) throws Exception {
        String name = loop.settings.topic(topic);
        // Same partition for bad and good, so "committed past the good one" means "consumed the bad one and went on".
        int partition = 0;
        RecordMetadata bad = producer.send(new ProducerRecord<>(name, partition, key, value)).get();
        RecordMetadata next = producer.send(new ProducerRecord<>(loop.settings.topic(good.topic()), partition, good.key(), good.value())).get();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<DeadLetter> letters = loop.deadLetters();
            assertThat(letters).as("dead letter for %s@%d", name, bad.offset()).anySatisfy(l -> {
                assertThat(l.getSourceTopic()).isEqualTo(name);
                assertThat(l.getOffset()).isEqualTo(bad.offset());
                assertThat(l.getPartition()).isEqualTo(partition);
                assertThat(l.getReason()).isEqualTo(reason);
                assertThat(l.getError()).contains(errorContains);
                // One format whoever dead-letters: service/instance.
                assertThat(l.getConsumer()).isEqualTo(consumerOf(topic));
                if (value != null && l.getValue() != null) {
                    assertThat(bytes(l.getValue())).isEqualTo(value);
                }
            });
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> committed(groupOf(good.topic()), new TopicPartition(name, partition)) > next.offset());
    }

    private static String consumerOf(QstreamTopic topic) {
        return switch (topic) {
            case PROMPTS -> "actor/actor-it";
            case TRANSITIONS, FEEDBACK -> "scorer/scorer-it";
            case SCORED, REWARDS_LATE -> "learner/learner-it";
            default -> throw new IllegalArgumentException(topic.name());
        };
    }

    private String groupOf(QstreamTopic topic) {
        String prefix = loop.settings.layout().prefix();
        return switch (topic) {
            case PROMPTS -> prefix + "-actors";
            case TRANSITIONS, FEEDBACK -> prefix + "-scorer";
            case SCORED, REWARDS_LATE -> prefix + "-learner";
            default -> throw new IllegalArgumentException(topic.name());
        };
    }

    private long committed(String group, TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(loop.settings.admin("bad-input-admin"))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata o = offsets.get(partition);
            return o == null ? -1 : o.offset();
        }
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private Prompt prompt(String id) {
        return Prompt.newBuilder().setPromptId(id).setText(loop.task.get(0).prompt()).setReferences(loop.task.get(0).references())
                .setTask("it").setDeadline(null).setCreatedAt(Instant.now()).build();
    }

    private Good goodPrompt() {
        String id = "good-" + UUID.randomUUID();
        return new Good(QstreamTopic.PROMPTS, key(id), Serdes.PROMPT.encode(prompt(id)));
    }

    private static Transition.Builder transition(UUID episode, int step, boolean done) {
        return Transition.newBuilder().setEpisodeId(episode.toString()).setPromptId("good-prompt").setActorId("test").setStep(step)
                .setPromptTokens(List.of(3, 4, 5)).setPrefixTokens(List.of()).setAction(4).setActionToken("x")
                .setValidActions(List.of(2, 4)).setDone(done).setEndReason(null).setPolicyVersion(0)
                .setBehaviourProbability(1.0).setExploration(ExplorationStrategy.GREEDY).setCreatedAt(System.currentTimeMillis());
    }

    private Good goodTransition() {
        UUID episode = UUID.randomUUID();
        return new Good(QstreamTopic.TRANSITIONS, key(episode.toString()), Serdes.TRANSITION.encode(transition(episode, 0, false).build()));
    }

    /** A one-step scored episode. */
    private static ScoredEpisode scored(UUID episode, double reward) {
        return ScoredEpisodeSteps.pack(List.of(step(episode, reward)));
    }

    private static ScoredTransition step(UUID episode, double reward) {
        return ScoredTransition.newBuilder().setTransition(transition(episode, 0, true).build()).setReward(reward)
                .setEpisodeReward(reward).setNextValidActions(null)
                .setParts(RewardParts.newBuilder().setMetricName("rougeL_f").setMetric(0.5).build())
                .setScoredAt(System.currentTimeMillis()).build();
    }

    /** Well-formed feedback for an episode the scorer has not seen: held for it, and its offset consumed. */
    private Good goodFeedback() {
        UUID episode = UUID.randomUUID();
        Feedback f = Feedback.newBuilder().setFeedbackId(UUID.randomUUID()).setEpisodeId(episode).setKind(FeedbackKind.THUMBS)
                .setValue(1.0).setEditedText(null).setSource("it").setCreatedAt(Instant.now()).build();
        return new Good(QstreamTopic.FEEDBACK, key(episode.toString()), Serdes.FEEDBACK.encode(f));
    }

    private static RewardCorrection correction(UUID episode, double delta) {
        return RewardCorrection.newBuilder().setEpisodeId(episode).setFeedbackId(UUID.randomUUID()).setStep(3)
                .setPreviousHuman(0.0).setHuman(0.5).setDelta(delta).setCreatedAt(Instant.now()).build();
    }

    /** A well-formed correction for an episode replay never held: counted as unknown, and consumed. */
    private Good goodCorrection() {
        UUID episode = UUID.randomUUID();
        return new Good(QstreamTopic.REWARDS_LATE, key(episode.toString()), Serdes.REWARD_CORRECTION.encode(correction(episode, 0.1)));
    }

    private Good goodScored() {
        UUID episode = UUID.randomUUID();
        return new Good(QstreamTopic.SCORED, key(episode.toString()), Serdes.SCORED_EPISODE.encode(scored(episode, 0.25)));
    }

    /** A transition body with its exploration enum index past the last symbol, under the current fingerprint. */
    private static byte[] withEnumIndexOutOfRange(Transition t) throws Exception {
        Schema current = Transition.getClassSchema();
        Schema wider = new Schema.Parser().parse(current.toString().replace("\"DEMONSTRATION\"]", "\"DEMONSTRATION\",\"BOGUS\"]"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
        // Write the record under the wider schema with the extra symbol: same layout, index 4.
        GenericRecord generic = (GenericRecord) GenericData.get().deepCopy(wider, toGeneric(t, wider));
        generic.put("exploration", new GenericData.EnumSymbol(wider.getField("exploration").schema(), "BOGUS"));
        new GenericDatumWriter<GenericRecord>(wider).write(generic, encoder);
        encoder.flush();
        ByteBuffer out = ByteBuffer.allocate(10 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0xC3).put((byte) 0x01).putLong(SchemaHistory.fingerprint(current)).put(body.toByteArray());
        return out.array();
    }

    private static GenericRecord toGeneric(Transition t, Schema schema) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<Transition>(Transition.getClassSchema()).write(t, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(Transition.getClassSchema(), schema)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }
}
