package dev.qstream.actor.generation;

import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.experience.CollectingAdder;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class GenerationTest {

    static final Vocabulary VOCABULARY = Vocabulary.build(List.of(
            "the quick brown fox jumps over the lazy dog near the river bank",
            "name[ the eagle ] food[ italian ] area[ riverside ] serves cheap food in the area"), new Tokenizer(), 200);

    static EpisodeGenerator generator(ActionMasker.Mode mode) {
        QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), 16, VOCABULARY.size());
        ModelSnapshot model = new ModelSnapshot(3, 2, VOCABULARY.fingerprint(), QNetworkFactory.initialWeights(spec, 5));
        ServingPolicy policy = ServingPolicy.of(model, mode != ActionMasker.Mode.PROMPT_AND_COMMON);
        return new EpisodeGenerator("a", VOCABULARY, new Tokenizer(), new ActionMasker(mode, VOCABULARY, 5, 4),
                new DirectDecoder(() -> policy), 64, Clock.systemUTC(), GenerationMetrics.NONE);
    }


    @ParameterizedTest
    @EnumSource(ActionMasker.Mode.class)
    void noTokenOutsideTheMaskIsEverEmittedAndTheGuardHolds(ActionMasker.Mode mode) throws Exception {
        EpisodeGenerator g = generator(mode);
        CollectingAdder recorder = new CollectingAdder();
        SplittableRandom random = new SplittableRandom(1);
        int steps = 0;
        while (steps < 10_000) {
            Exploration e = steps % 3 == 0 ? Exploration.epsilonGreedy(0.5) : steps % 3 == 1 ? Exploration.boltzmann(0.3) : Exploration.greedy();
            recorder.transitions().clear();
            g.generate("p", "name[ the eagle ] food[ italian ] near the river", null, e, 20, random, recorder);
            List<String> said = new ArrayList<>();
            for (Transition t : recorder.transitions()) {
                int action = t.getAction();
                assertThat(action).isNotIn(Vocabulary.PAD_ID, Vocabulary.UNK_ID);
                if (t.getValidActions() != null) {
                    assertThat(t.getValidActions()).contains(action);
                    assertThat(t.getValidActions()).isSorted().doesNotHaveDuplicates();
                } else {
                    assertThat(mode).isEqualTo(ActionMasker.Mode.ALL);
                }
                String word = t.getActionToken().toString();
                int[] prefix = t.getPrefixTokens().stream().mapToInt(Integer::intValue).toArray();
                if (!word.isEmpty()) {
                    // The guard: never the last word again, whichever action says it; never an action bigram again.
                    assertThat(word).as("the last word again").isNotEqualTo(said.isEmpty() ? null : said.get(said.size() - 1));
                    for (int i = 0; i + 1 < prefix.length; i++) {
                        assertThat(new int[]{prefix[i], prefix[i + 1]}).as("an action bigram again")
                                .isNotEqualTo(new int[]{prefix[prefix.length - 1], action});
                    }
                    said.add(word);
                }
                if (mode == ActionMasker.Mode.PROMPT_AND_COMMON) {
                    boolean inPrompt = t.getPromptTokens().contains(action);
                    boolean common = action >= Vocabulary.SPECIAL_TOKENS && action < Vocabulary.SPECIAL_TOKENS + 5;
                    assertThat(inPrompt || common || action == Vocabulary.EOS_ID).isTrue();
                }
                if (mode == ActionMasker.Mode.TOP_K) {
                    assertThat(t.getValidActions()).hasSizeLessThanOrEqualTo(5).contains(Vocabulary.EOS_ID);
                }
                assertThat(t.getPolicyVersion()).isEqualTo(3);
                assertThat(t.getBehaviourProbability()).isBetween(0.0, 1.0);
                steps++;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ActionMasker.Mode.class)
    void episodesEndAtTheLimitAndSummariseThemselves(ActionMasker.Mode mode) throws Exception {
        CollectingAdder recorder = new CollectingAdder();
        generator(mode).generate("p", "the quick brown fox", null, Exploration.greedy(), 3, new SplittableRandom(2), recorder);
        assertThat(recorder.transitions()).hasSizeLessThanOrEqualTo(3);
        Transition last = recorder.transitions().get(recorder.transitions().size() - 1);
        assertThat(last.getDone()).isTrue();
        assertThat(recorder.transitions().stream().filter(Transition::getDone)).hasSize(1);
        for (int i = 0; i < recorder.transitions().size(); i++) {
            assertThat(recorder.transitions().get(i).getStep()).isEqualTo(i);
            assertThat(recorder.transitions().get(i).getPrefixTokens()).hasSize(i);
        }
        assertThat(recorder.episodes()).hasSize(1);
        assertThat(recorder.episodes().get(0).getEpisodeId().toString()).isEqualTo(last.getEpisodeId());
    }
}
