package dev.qstream.launcher.loop;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.experience.CollectingAdder;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.generation.GenerationResult;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.replay.NStepAssembler;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.PromptCopies;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredEpisodeSteps;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.stream.ScorerConfig;
import dev.qstream.scorer.stream.ScorerTopology;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prompt word the vocabulary never saw travels the whole way as a copy action: the actor emits it, the transition
 * records the action and the word, the scorer rebuilds the text from the transitions and rewards it against the
 * references, and the learner's batch trains on that very action.
 */
class CopyActionRoundTripTest {

    private static final String UNSEEN_PROMPT = "name[Zizzi], area[riverside]";

    @Test
    void anUnseenPromptWordGoesFromActorToTransitionToScorerTextToLearnerBatch(@TempDir Path stateDir) throws Exception {
        List<TaskPrompt> task = List.of(
                new TaskPrompt("t1", "name[Alimentum], area[riverside]", List.of("Alimentum is by the riverside."), TaskPrompt.Split.TRAIN),
                new TaskPrompt("e1", UNSEEN_PROMPT, List.of("Zizzi is by the riverside."), TaskPrompt.Split.EVAL));
        Vocabulary vocabulary = TaskVocabulary.of(task);
        assertThat(vocabulary.contains("zizzi")).isFalse();
        Tokenizer tokenizer = new Tokenizer();
        PromptCopies copies = PromptCopies.of(tokenizer.tokenize(UNSEEN_PROMPT), vocabulary, 256);
        int copyName = Arrays.stream(copies.actions()).filter(a -> copies.word(a, List.of()).equals("zizzi")).findFirst().orElseThrow();

        // A model that prefers the copy action, then end-of-sequence (the guard forbids repeating an action at once).
        ModelIdentity identity = ModelIdentity.defaults().withHidden(8);
        QNetworkWeights w = identity.untrained(vocabulary.size());
        float[] b2 = new float[vocabulary.size()];
        b2[copyName] = 50f;
        b2[Vocabulary.EOS_ID] = 40f;
        QNetworkWeights weights = new QNetworkWeights(w.spec(), w.w1(), w.b1(), new float[w.w2().length], b2);
        ServingPolicy policy = ServingPolicy.of(new ModelSnapshot(1, 0, vocabulary.fingerprint(), weights));
        EpisodeGenerator actor = new EpisodeGenerator("actor-1", vocabulary, tokenizer,
                new ActionMasker(ActionMasker.Mode.PROMPT_AND_COMMON, vocabulary, 4), new DirectDecoder(() -> policy), 256,
                Clock.systemUTC(), GenerationMetrics.NONE);
        CollectingAdder adder = new CollectingAdder();
        GenerationResult generated = actor.generate("e1", UNSEEN_PROMPT, null, Exploration.greedy(), 8,
                new SplittableRandom(1), adder);
        List<Transition> transitions = adder.transitions();

        // Actor: the word is said, and the transition records the action and the word.
        assertThat(generated.text()).isEqualTo("zizzi");
        assertThat(transitions).hasSize(2);
        Transition first = transitions.get(0);
        assertThat(first.getAction()).isEqualTo(copyName);
        assertThat(first.getActionToken()).isEqualTo("zizzi");
        assertThat(first.getValidActions()).contains(copyName);
        assertThat(first.getPromptTokens()).contains(Vocabulary.UNK_ID);
        assertThat(transitions.get(1).getPrefixTokens()).containsExactly(copyName);

        // Scorer: rebuilds "zizzi" from the transitions and rewards it (ROUGE against the eval reference).
        ScorerConfig config = ScorerConfig.defaults(TopicLayout.defaults(), stateDir);
        Properties props = ScorerTopology.streamsProperties(config);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        List<ScoredTransition> scored;
        List<Episode> episodes;
        Instant t0 = Instant.parse("2026-11-29T10:00:00Z");
        try (TopologyTestDriver scorer = new TopologyTestDriver(ScorerTopology.buildTopology(config), props, t0)) {
            TopicLayout layout = TopicLayout.defaults();
            TestInputTopic<String, byte[]> prompts = scorer.createInputTopic(layout.name(QstreamTopic.PROMPTS),
                    new StringSerializer(), new ByteArraySerializer());
            prompts.pipeInput("e1", Serdes.PROMPT.encode(Prompt.newBuilder().setPromptId("e1").setText(UNSEEN_PROMPT)
                    .setReferences(List.of("Zizzi is by the riverside.")).setTask("e2e").setCreatedAt(t0).build()), t0);
            TestInputTopic<String, Transition> steps = scorer.createInputTopic(layout.name(QstreamTopic.TRANSITIONS),
                    new StringSerializer(), Serdes.TRANSITION.serializer());
            transitions.forEach(t -> steps.pipeInput(t.getEpisodeId(), t, t0.plusMillis(1 + t.getStep())));
            scorer.advanceWallClockTime(Duration.ofMinutes(2));
            scored = scorer.createOutputTopic(layout.name(QstreamTopic.SCORED), new StringDeserializer(),
                    Serdes.SCORED_EPISODE.deserializer()).readValuesToList().stream()
                    .flatMap(e -> ScoredEpisodeSteps.expand(e).stream()).toList();
            episodes = scorer.createOutputTopic(layout.name(QstreamTopic.GENERATIONS), new StringDeserializer(),
                    Serdes.EPISODE.deserializer()).readValuesToList();
        }
        assertThat(scored).hasSize(2);
        assertThat(episodes).extracting(e -> e.getText().toString()).contains("zizzi");
        assertThat(scored.get(0).getReward() + scored.get(1).getReward()).as("ROUGE credits the copied name").isPositive();

        // Learner: the n-step transition and the sampled batch carry the copy action and its mask.
        NStepAssembler assembler = new NStepAssembler(3, 0.9, 100);
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.uniform(16));
        for (int i = 0; i < scored.size(); i++) {
            for (StoredTransition st : assembler.add(scored.get(i), 0, i)) {
                replay.add(st);
            }
        }
        assertThat(replay.size()).isEqualTo(2);
        Batch batch = new Batch(8, identity.encoder().size());
        replay.sample(batch, new SplittableRandom(3), new StateEncoder(identity.encoder()), 0);
        assertThat(Arrays.stream(batch.actions).boxed().toList()).contains(copyName);
        for (int i = 0; i < batch.size; i++) {
            if (batch.actions[i] == copyName) {
                assertThat(batch.masks[i]).contains(copyName);
            }
        }
    }
}
