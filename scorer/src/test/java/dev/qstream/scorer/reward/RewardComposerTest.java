package dev.qstream.scorer.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.scorer.similarity.RougeScorer;
import dev.qstream.scorer.similarity.RougeScores;
import dev.qstream.scorer.similarity.SacreBleu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RewardComposerTest {

    private static final List<String> REFS = List.of("the cat sat on the mat", "a cat was sitting on the mat");
    private static final List<String> STEPS = List.of("the", "cat", ",", "sat", "on", "a", "mat", "");
    private static final String TEXT = "the cat , sat on a mat";

    private static RewardConfig config(RewardConfig.Metric metric, double wMetric, double wBleu, double wHuman,
                                       double defaultHuman, int freeTokens, double perToken, double repetition,
                                       RewardConfig.Shaping shaping) {
        return new RewardConfig(metric, false, wMetric, wBleu, wHuman, defaultHuman, freeTokens, perToken, repetition, shaping);
    }

    @Test
    void weightsComposeTheEpisodeReward() {
        RewardComposer composer = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 2.0, 0.5, 0.25, 0, 64, 0, 0,
                RewardConfig.Shaping.TERMINAL));
        ComposedReward r = composer.compose(STEPS, REFS, 0.8);
        double rougeL = new RougeScorer(false).scoreMulti(REFS, TEXT).rougeL().f();
        double bleu = SacreBleu.sentenceBleu(TEXT, REFS);
        assertThat(bleu).isGreaterThan(0);
        assertThat(r.episodeReward()).isCloseTo(2.0 * rougeL + 0.5 * bleu / 100 + 0.25 * 0.8, within(1e-12));
        assertThat(r.parts().getMetric()).isEqualTo(rougeL);
        assertThat(r.parts().getBleu()).isEqualTo(bleu);
        assertThat(r.parts().getHuman()).isEqualTo(0.8);
        assertThat(r.parts().getHumanDefaulted()).isFalse();
        assertThat(r.parts().getMetricName()).isEqualTo("rougeL_f");
        assertThat(r.scores().getReward()).isEqualTo(r.episodeReward());
    }

    @Test
    void theConfiguredRougeVariantIsTheMetric() {
        RougeScores s = new RougeScorer(false).scoreMulti(REFS, TEXT);
        for (RewardConfig.Metric m : RewardConfig.Metric.values()) {
            ComposedReward r = new RewardComposer(config(m, 1, 0, 0, 0, 64, 0, 0, RewardConfig.Shaping.TERMINAL))
                    .compose(STEPS, REFS, null);
            double expected = switch (m) {
                case ROUGE_L -> s.rougeL().f();
                case ROUGE_1 -> s.rouge1().f();
                case ROUGE_2 -> s.rouge2().f();
            };
            assertThat(r.parts().getMetric()).as(m.name()).isEqualTo(expected);
            assertThat(r.parts().getMetricName()).isEqualTo(m.label());
            assertThat(r.episodeReward()).isEqualTo(expected);
        }
        assertThat(s.rouge1().f()).isNotEqualTo(s.rouge2().f()); // the three are told apart by this input
    }

    @Test
    void lengthAndRepetitionPenaltiesAreSubtracted() {
        // 5 words, 3 free: 2 × 0.1 = 0.2. Bigrams (a b)(b a)(a b)(b a): 2 of 4 repeated, 0.5 × 0.4 = 0.2.
        List<String> steps = List.of("a", "b", "a", "b", "a", "");
        RewardComposer composer = new RewardComposer(config(RewardConfig.Metric.ROUGE_1, 1, 0, 0, 0, 3, 0.1, 0.4,
                RewardConfig.Shaping.TERMINAL));
        ComposedReward r = composer.compose(steps, List.of("a b c"), null);
        double rouge1 = new RougeScorer(false).scoreMulti(List.of("a b c"), "a b a b a").rouge1().f();
        assertThat(r.parts().getLengthPenalty()).isCloseTo(0.2, within(1e-12));
        assertThat(r.parts().getRepetitionPenalty()).isCloseTo(0.2, within(1e-12));
        assertThat(r.episodeReward()).isCloseTo(rouge1 - 0.4, within(1e-12));
        // Within the free length and without repeats, nothing is subtracted.
        ComposedReward clean = composer.compose(List.of("a", "b", "c"), List.of("a b c"), null);
        assertThat(clean.parts().getLengthPenalty()).isZero();
        assertThat(clean.parts().getRepetitionPenalty()).isZero();
        assertThat(clean.episodeReward()).isEqualTo(1.0);
    }

    @Test
    void deltaShapingGivesEachStepItsPrefixGainAndTelescopesToTheEpisodeReward() {
        RewardComposer composer = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 1.5, 0.3, 0.5, 0, 4, 0.05, 0.2,
                RewardConfig.Shaping.DELTA));
        ComposedReward r = composer.compose(STEPS, REFS, -0.4);
        RougeScorer rouge = new RougeScorer(false);
        double previous = 0;
        List<String> prefix = new ArrayList<>();
        for (int t = 0; t < STEPS.size(); t++) {
            if (!STEPS.get(t).isEmpty()) {
                prefix.add(STEPS.get(t));
            }
            double m = rouge.scoreMulti(REFS, String.join(" ", prefix)).rougeL().f();
            double gain = 1.5 * (m - previous);
            previous = m;
            if (t < STEPS.size() - 1) {
                assertThat(r.stepRewards()[t]).as("step %d", t).isEqualTo(gain);
            } else {
                double extras = 0.3 * r.parts().getBleu() / 100 + 0.5 * -0.4 - r.parts().getLengthPenalty()
                        - r.parts().getRepetitionPenalty();
                assertThat(r.stepRewards()[t]).isCloseTo(gain + extras, within(1e-12));
            }
        }
        assertThat(r.stepRewards()[2]).as("',' adds no ROUGE token").isZero();
        assertThat(Arrays.stream(r.stepRewards()).sum()).isCloseTo(r.episodeReward(), within(1e-12));
        assertThat(r.parts().getShaping()).isEqualTo("delta");
    }

    @Test
    void terminalShapingPutsEverythingOnTheLastStep() {
        ComposedReward r = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 1, 0, 0, 0, 64, 0, 0,
                RewardConfig.Shaping.TERMINAL)).compose(STEPS, REFS, null);
        double[] expected = new double[STEPS.size()];
        expected[STEPS.size() - 1] = r.episodeReward();
        assertThat(r.stepRewards()).containsExactly(expected);
        assertThat(r.episodeReward()).isGreaterThan(0);
        assertThat(r.parts().getShaping()).isEqualTo("terminal");
    }

    @Test
    void withoutReferencesTheFeedbackIsTheWholeReward() {
        // humanWeight 0 in the config: a feedback-only episode still takes its human value at weight 1.
        RewardComposer composer = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 1, 1, 0, -0.25, 2, 0.1, 0,
                RewardConfig.Shaping.DELTA));
        ComposedReward r = composer.compose(List.of("good", "answer", "here", ""), List.of(), 0.6);
        assertThat(r.parts().getMetricName()).isEqualTo(RewardComposer.FEEDBACK_ONLY);
        assertThat(r.parts().getMetric()).isZero();
        assertThat(r.parts().getBleu()).isZero();
        assertThat(r.parts().getShaping()).isEqualTo("terminal");
        assertThat(r.episodeReward()).isCloseTo(0.6 - 0.1, within(1e-12)); // 3 words, 2 free
        assertThat(r.stepRewards()).containsExactly(0, 0, 0, r.episodeReward());
        assertThat(composer.humanWeight(r.parts())).isEqualTo(1.0);

        ComposedReward none = composer.compose(List.of("x", ""), List.of(), null);
        assertThat(none.parts().getHumanDefaulted()).isTrue();
        assertThat(none.parts().getHuman()).isNull();
        assertThat(none.episodeReward()).isEqualTo(-0.25);
        assertThat(composer.appliedHuman(none.parts())).isEqualTo(-0.25);
    }

    @Test
    void theDefaultIsFlaggedOnlyWhenItCounts() {
        RewardComposer ignoresHumans = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 1, 0, 0, 0.5, 64, 0, 0,
                RewardConfig.Shaping.TERMINAL));
        RewardParts p0 = ignoresHumans.compose(STEPS, REFS, null).parts();
        assertThat(p0.getHumanDefaulted()).isFalse();
        assertThat(ignoresHumans.humanWeight(p0)).isZero();

        RewardComposer weighsHumans = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 0, 0, 0.5, 0.5, 64, 0, 0,
                RewardConfig.Shaping.TERMINAL));
        ComposedReward r = weighsHumans.compose(STEPS, REFS, null);
        assertThat(r.parts().getHumanDefaulted()).isTrue();
        assertThat(r.episodeReward()).isEqualTo(0.25);
        assertThat(weighsHumans.humanWeight(r.parts())).isEqualTo(0.5);
    }

    @Test
    void emptyReferenceStringsScoreZeroInsteadOfFailing() {
        ComposedReward r = new RewardComposer(config(RewardConfig.Metric.ROUGE_L, 1, 1, 0, 0, 64, 0, 0,
                RewardConfig.Shaping.DELTA)).compose(STEPS, List.of(""), null);
        assertThat(r.parts().getBleu()).isZero();
        assertThat(r.parts().getMetric()).isZero();
        assertThat(r.stepRewards()).containsOnly(0.0);
    }

    @Test
    void theSummaryScoresAreRougeScoreAndSacreBleuExactly() {
        for (boolean stem : new boolean[]{false, true}) {
            RewardComposer composer = new RewardComposer(new RewardConfig(RewardConfig.Metric.ROUGE_2, stem, 1, 1, 0, 0,
                    64, 0, 0, RewardConfig.Shaping.DELTA));
            List<String> steps = List.of("The", "cats", "were", "sitting", "on", "the", "mats", ".", "");
            RewardComposer.References prepared = composer.prepare(REFS);
            ComposedReward r = composer.compose(steps, prepared, null);
            String text = "The cats were sitting on the mats .";
            RougeScores s = new RougeScorer(stem).scoreMulti(REFS, text);
            assertThat(r.scores().getRougeL()).isEqualTo(s.rougeL().f());
            assertThat(r.scores().getRouge1()).isEqualTo(s.rouge1().f());
            assertThat(r.scores().getRouge2()).isEqualTo(s.rouge2().f());
            assertThat(r.scores().getBleu()).isEqualTo(SacreBleu.sentenceBleu(text, REFS));
            assertThat(r.parts().getMetric()).isEqualTo(s.rouge2().f());
            // Prepared once or each time: the same numbers.
            assertThat(composer.compose(steps, REFS, null).stepRewards()).containsExactly(r.stepRewards());
        }
    }

    @Test
    void theRepeatedBigramFractionCountsEachBigramSeenBefore() {
        assertThat(RewardComposer.repeatedBigramFraction(List.of("a"))).isZero();
        assertThat(RewardComposer.repeatedBigramFraction(List.of("a", "a", "a", "a"))).isEqualTo(2.0 / 3);
        // Words are compared whole: "a b" + "c" is not "a" + "b c".
        assertThat(RewardComposer.repeatedBigramFraction(List.of("a b", "c", "a", "b c"))).isZero();
        java.util.Random rnd = new java.util.Random(5);
        for (int trial = 0; trial < 2_000; trial++) {
            List<String> words = new ArrayList<>();
            for (int i = rnd.nextInt(trial % 2 == 0 ? 30 : 150); i > 0; i--) {
                words.add("w" + rnd.nextInt(1 + trial % 8));
            }
            // By the definition: a bigram counts when the same pair of words occurred at an earlier position.
            int repeated = 0;
            for (int i = 1; i + 1 < words.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (words.get(j).equals(words.get(i)) && words.get(j + 1).equals(words.get(i + 1))) {
                        repeated++;
                        break;
                    }
                }
            }
            double expected = words.size() < 2 ? 0 : (double) repeated / (words.size() - 1);
            assertThat(RewardComposer.repeatedBigramFraction(words)).as("%s", words).isEqualTo(expected);
        }
    }
}
