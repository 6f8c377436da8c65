package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every prefix score must equal scoring that prefix's text with RougeScorer.scoreMulti, bit for bit. */
class PrefixRougeTest {

    private static final String[] WORDS = {"the", "The", "cat", "cats", "sat", "on", "mat", "running", "runs", ",", ".",
            "", "café", "über", "東京", "a", "a", "a", "u.s.", "x-ray", "42", "\n", "Kelvin\u212A", "İstanbul", "!!"};

    @Test
    void everyPrefixEqualsScoreMultiOfItsText() {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            boolean stem = rnd.nextBoolean();
            RougeScorer scorer = new RougeScorer(stem);
            List<String> references = new ArrayList<>();
            int refCount = 1 + rnd.nextInt(3);
            for (int r = 0; r < refCount; r++) {
                // Now and then a reference past 64 tokens: ROUGE-L takes the table there, not the bit-parallel LCS.
                references.add(text(rnd, r == 0 && rnd.nextInt(5) == 0 ? 70 + rnd.nextInt(30) : rnd.nextInt(12)));
            }
            List<String> steps = new ArrayList<>();
            int n = 1 + rnd.nextInt(15);
            for (int i = 0; i < n; i++) {
                steps.add(WORDS[rnd.nextInt(WORDS.length)]);
            }
            List<List<String>> refTokens = references.stream().map(r -> RougeTokenizer.tokenize(r, stem)).toList();
            List<List<String>> pieces = steps.stream().map(w -> RougeTokenizer.tokenize(w, stem)).toList();
            for (PrefixRouge.Type type : PrefixRouge.Type.values()) {
                double[] f = PrefixRouge.prefixF(type, refTokens, pieces);
                for (int k = 0; k < n; k++) {
                    String prefix = String.join(" ", steps.subList(0, k + 1));
                    RougeScores s = scorer.scoreMulti(references, prefix);
                    double expected = switch (type) {
                        case ROUGE_1 -> s.rouge1().f();
                        case ROUGE_2 -> s.rouge2().f();
                        case ROUGE_L -> s.rougeL().f();
                    };
                    assertThat(f[k]).as("%s of prefix %d of %s against %s (stem=%s)", type, k, steps, references, stem)
                            .isEqualTo(expected);
                }
            }
            // One type per prefix and all three for the whole text: the same values, bit for bit.
            RougeScores whole = scorer.scoreMulti(references, String.join(" ", steps));
            for (PrefixRouge.Type type : PrefixRouge.Type.values()) {
                PrefixRouge.Scores scores = PrefixRouge.prepare(refTokens).scores(type, pieces);
                assertThat(scores.prefixF()).isEqualTo(PrefixRouge.prefixF(type, refTokens, pieces));
                assertThat(new double[] {scores.rougeL(), scores.rouge1(), scores.rouge2()})
                        .as("whole-text scores of %s against %s (stem=%s)", steps, references, stem)
                        .containsExactly(whole.rougeL().f(), whole.rouge1().f(), whole.rouge2().f());
            }
        }
    }

    @Test
    void repeatedTokensAreClippedByTheReferenceCounts() {
        // reference "a b", candidate "a a a": ROUGE-1 hits stay at 1 (clipped), P = 1/3, R = 1/2, F = 0.4
        double[] f = PrefixRouge.prefixF(PrefixRouge.Type.ROUGE_1, List.of(List.of("a", "b")),
                List.of(List.of("a"), List.of("a"), List.of("a")));
        assertThat(f[0]).isEqualTo(PrecisionRecallF.fmeasure(1.0, 0.5));
        assertThat(f[1]).isEqualTo(PrecisionRecallF.fmeasure(0.5, 0.5));
        assertThat(f[2]).isEqualTo(PrecisionRecallF.fmeasure(1.0 / 3, 0.5));
    }

    @Test
    void emptyPiecesRepeatThePreviousScoreAndAnEmptyReferenceScoresZero() {
        double[] f = PrefixRouge.prefixF(PrefixRouge.Type.ROUGE_L, List.of(List.of("a", "b")),
                List.of(List.of(), List.of("a"), List.of(), List.of("b")));
        assertThat(f).containsExactly(0.0, PrecisionRecallF.fmeasure(1.0, 0.5), PrecisionRecallF.fmeasure(1.0, 0.5), 1.0);
        assertThat(PrefixRouge.prefixF(PrefixRouge.Type.ROUGE_L, List.of(List.of()), List.of(List.of("a"))))
                .containsExactly(0.0);
        assertThatThrownBy(() -> PrefixRouge.prefixF(PrefixRouge.Type.ROUGE_L, List.of(), List.of(List.of("a"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String text(Random rnd, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    @Test
    void theBitParallelLcsEqualsTheTableForReferencesUpTo64Tokens() {
        Random rnd = new Random(64);
        for (int trial = 0; trial < 20_000; trial++) {
            int m = trial < 64 ? trial : rnd.nextInt(4) == 0 ? 60 + rnd.nextInt(5) : rnd.nextInt(65); // every length, 64 often
            int alphabet = 1 + rnd.nextInt(8);
            int[] ref = new int[m];
            for (int i = 0; i < m; i++) {
                ref[i] = rnd.nextInt(alphabet);
            }
            int[] cand = new int[rnd.nextInt(80)];
            for (int j = 0; j < cand.length; j++) {
                cand[j] = rnd.nextInt(alphabet + 1) - 1; // -1: a token no reference has
            }
            long[] masks = new long[alphabet];
            for (int i = 0; i < m; i++) {
                masks[ref[i]] |= 1L << i;
            }
            assertThat(PrefixRouge.lcsByLength(masks, m, cand)).as("reference of %d tokens, candidate of %d", m, cand.length)
                    .isEqualTo(PrefixRouge.lcsByLength(ref, cand));
        }
    }
}
