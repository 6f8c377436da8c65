package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed sacreBLEU 2.x values. p_n are n-gram precisions in percent; 'exp' smoothing replaces the k-th
 * zero-match order by 100 / (2^k * total); score = BP * exp(mean(log p_n)).
 */
class SacreBleuTest {

    private static final double TOL = 1e-9;

    private static double geo(double... p) {
        double s = 0;
        for (double x : p) {
            s += Math.log(x);
        }
        return Math.exp(s / p.length);
    }

    @Test
    void identicalSentenceIs100() {
        assertThat(SacreBleu.sentenceBleu("The cat sat on the mat.", List.of("The cat sat on the mat.")))
                .isCloseTo(100.0, within(TOL));
        assertThat(SacreBleu.sentenceBleu("Hello, world!", List.of("Hello, world!"))).isCloseTo(100.0, within(TOL));
    }

    @Test
    void brevityPenaltyWithEffectiveOrder() {
        // hyp [the cat] vs ref [the cat sat on the mat]: p1 = 2/2, p2 = 1/1, no trigram in the hypothesis ->
        // effective order 2; BP = exp(1 - 6/2) = exp(-2); score = 100 * exp(-2)
        BleuResult r = SacreBleu.sentenceBleuResult("the cat", List.of("the cat sat on the mat"));
        assertThat(r.score()).isCloseTo(100 * Math.exp(-2), within(TOL));
        assertThat(r.bp()).isCloseTo(Math.exp(-2), within(1e-15));
        assertThat(r.counts()).containsExactly(2, 1, 0, 0);
        assertThat(r.totals()).containsExactly(2, 1, 0, 0);
        assertThat(r.sysLen()).isEqualTo(2);
        assertThat(r.refLen()).isEqualTo(6);
    }

    @Test
    void expSmoothingOneZeroOrder() {
        // hyp [the cat is on the mat], ref [the cat sat on the mat]
        // 1-grams: the x2, cat, on, mat match -> 5/6; 2-grams: the cat, on the, the mat -> 3/5;
        // 3-grams: on the mat -> 1/4; 4-grams: 0/3 -> k=1: 100/(2*3)
        BleuResult r = SacreBleu.sentenceBleuResult("the cat is on the mat", List.of("the cat sat on the mat"));
        assertThat(r.counts()).containsExactly(5, 3, 1, 0);
        assertThat(r.totals()).containsExactly(6, 5, 4, 3);
        assertThat(r.precisions()[3]).isCloseTo(100.0 / 6, within(1e-12));
        assertThat(r.score()).isCloseTo(geo(500.0 / 6, 60, 25, 100.0 / 6), within(TOL)); // 37.9918
        assertThat(r.score()).isCloseTo(37.9918, within(1e-4));
    }

    @Test
    void expSmoothingTwoZeroOrdersAndBrevityPenalty() {
        // hyp [the cat is here now] (5) vs ref (6): p1 = 2/5, p2 = 1/4, p3: 0/3 -> 100/(2*3),
        // p4: 0/2 -> 100/(4*2); BP = exp(1 - 6/5)
        BleuResult r = SacreBleu.sentenceBleuResult("the cat is here now", List.of("the cat sat on the mat"));
        assertThat(r.precisions()).containsExactly(new double[] {40, 25, 100.0 / 6, 12.5}, within(1e-12));
        assertThat(r.bp()).isCloseTo(Math.exp(-0.2), within(1e-15));
        assertThat(r.score()).isCloseTo(Math.exp(-0.2) * geo(40, 25, 100.0 / 6, 12.5), within(TOL)); // 17.4917
    }

    @Test
    void smoothingAfterEffectiveOrderCutoff() {
        // hyp [the the the], refs [the cat], [the the dog]: clip by the max count in any single reference:
        // 'the' max 2 -> 2/3; 'the the' max 1 -> 1/2; 'the the the' 0/1 -> 100/(2*1); no 4-gram -> order 3.
        // closest ref length to 3 among {2, 3} is 3.
        BleuResult r = SacreBleu.sentenceBleuResult("the the the", List.of("the cat", "the the dog"));
        assertThat(r.counts()).containsExactly(2, 1, 0, 0);
        assertThat(r.refLen()).isEqualTo(3);
        assertThat(r.score()).isCloseTo(geo(200.0 / 3, 50, 50), within(TOL)); // 55.0321
    }

    @Test
    void tokenizationAndCaseMatter() {
        // hyp [Hello world] vs ref [Hello , world !]: p1 = 2/2, 'Hello world' is not a ref bigram: 0/1 -> 50;
        // BP = exp(1 - 4/2)
        assertThat(SacreBleu.sentenceBleu("Hello world", List.of("Hello, world!")))
                .isCloseTo(Math.exp(-1) * geo(100, 50), within(TOL)); // 26.0130
        // case-sensitive: [The cat] vs [the cat]: p1 = 1/2, p2 = 0/1 -> 100/(2*1) = 50
        assertThat(SacreBleu.sentenceBleu("The cat", List.of("the cat"))).isCloseTo(50, within(TOL));
    }

    @Test
    void closestReferenceLengthTiesGoToTheShorter() {
        // hyp 5 tokens, all n-grams present in some reference -> all p_n = 100
        // refs of 4 and 6 tokens: both at distance 1 -> 4 -> BP 1
        BleuResult a = SacreBleu.sentenceBleuResult("a b c d e", List.of("a b c d", "a b c d e f"));
        assertThat(a.refLen()).isEqualTo(4);
        assertThat(a.score()).isCloseTo(100, within(TOL));
        // refs of 3 and 7: both at distance 2 -> 3
        assertThat(SacreBleu.sentenceBleuResult("a b c d e", List.of("a b c d e f g", "a b c")).refLen())
                .isEqualTo(3);
        // refs of 6 and 8 -> 6 -> BP = exp(1 - 6/5)
        BleuResult c = SacreBleu.sentenceBleuResult("a b c d e", List.of("a b c d e f", "a b c d e f g h"));
        assertThat(c.refLen()).isEqualTo(6);
        assertThat(c.score()).isCloseTo(100 * Math.exp(-0.2), within(TOL)); // 81.8731
    }

    @Test
    void zeroEdgeCases() {
        // empty hypothesis: no match -> 0, and BP = 0 because sys_len = 0 < ref_len
        BleuResult e = SacreBleu.sentenceBleuResult("", List.of("a b"));
        assertThat(e.score()).isZero();
        assertThat(e.bp()).isZero();
        assertThat(e.sysLen()).isZero();
        assertThat(e.refLen()).isEqualTo(2);
        // no common token at all
        BleuResult n = SacreBleu.sentenceBleuResult("x y z", List.of("a b c"));
        assertThat(n.score()).isZero();
        assertThat(n.totals()).containsExactly(3, 2, 1, 0);
        assertThat(n.precisions()).containsOnly(0.0);
        // a whitespace-only reference is not empty: it has 0 tokens
        assertThat(SacreBleu.sentenceBleuResult("a", List.of("   ")).refLen()).isZero();
        assertThat(SacreBleu.sentenceBleu("a", List.of("   "))).isZero();
    }

    @Test
    void emptyReferencesAreDroppedAndAllEmptyIsAnError() {
        assertThat(SacreBleu.sentenceBleu("the cat", Arrays.asList("", null, "the cat"))).isCloseTo(100, within(TOL));
        assertThatThrownBy(() -> SacreBleu.sentenceBleu("the cat", List.of("")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SacreBleu.sentenceBleu("the cat", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allEmptyReferencesCanBeScoredZeroAgainstNothing() {
        BleuResult alone = SacreBleu.sentenceBleuResult("the cat", List.of("", ""), SacreBleu.EmptyReferences.SCORE_ZERO);
        assertThat(alone.score()).isZero();
        assertThat(alone.counts()).containsExactly(0, 0, 0, 0);
        assertThat(alone.totals()).containsExactly(2, 1, 0, 0);
        assertThat(alone.refLen()).isZero();
        // With a real reference beside them, empty ones are still just dropped: the same as sacreBLEU.
        assertThat(SacreBleu.sentenceBleuResult("the cat", Arrays.asList("", "the cat"), SacreBleu.EmptyReferences.SCORE_ZERO).score())
                .isCloseTo(100, within(TOL));
        // In a corpus the empty segment adds its n-grams (unmatched) and no reference length:
        // seg 1 [the cat sat on the mat] identical [6,5,4,3]/[6,5,4,3]; seg 2 [a dog] vs nothing [0,0,0,0]/[2,1,0,0]
        BleuResult corpus = SacreBleu.corpusBleu(List.of("the cat sat on the mat", "a dog"),
                List.of(List.of("the cat sat on the mat", "")), SacreBleu.EmptyReferences.SCORE_ZERO);
        assertThat(corpus.counts()).containsExactly(6, 5, 4, 3);
        assertThat(corpus.totals()).containsExactly(8, 6, 4, 3);
        assertThat(corpus.sysLen()).isEqualTo(8);
        assertThat(corpus.refLen()).isEqualTo(6);
        assertThatThrownBy(() -> SacreBleu.corpusBleu(List.of("the cat sat on the mat", "a dog"),
                List.of(List.of("the cat sat on the mat", "")))).hasMessageContaining("Empty or `None` reference");
    }

    @Test
    void corpusBleuSumsStatisticsThenScores() {
        // seg 1 identical: [6,5,4,3]/[6,5,4,3]; seg 2 [a dog barked] vs [the dog barked]: [2,1,0,0]/[3,2,1,0]
        // sum [8,6,4,3]/[9,7,5,3], lengths 9/9
        BleuResult r = SacreBleu.corpusBleu(List.of("the cat sat on the mat", "a dog barked"),
                List.of(List.of("the cat sat on the mat", "the dog barked")));
        assertThat(r.counts()).containsExactly(8, 6, 4, 3);
        assertThat(r.totals()).containsExactly(9, 7, 5, 3);
        assertThat(r.score()).isCloseTo(geo(800.0 / 9, 600.0 / 7, 80, 100), within(TOL)); // 88.3584
    }

    @Test
    void corpusBleuWithTwoReferenceStreamsAndSmoothing() {
        // seg 1 [the cat]: refs [the cat sat] (3), [a cat] (2) -> closest 2; 2/2, 1/1
        // seg 2 [hello there]: refs 3, 2 -> 2; 2/2, 1/1
        // seg 3 [good morning to you everyone]: refs [good morning] (2), [good morning to everyone] (4) -> 4;
        //   1-grams 4/5, 2-grams (good morning, morning to) 2/4, 3-grams (good morning to) 1/3, 4-grams 0/2
        // sum: [8,4,1,0]/[9,6,3,2], sys 9, ref 8 -> BP 1; p4 = 100/(2*2)
        BleuResult r = SacreBleu.corpusBleu(List.of("the cat", "hello there", "good morning to you everyone"),
                List.of(List.of("the cat sat", "hello there friend", "good morning"),
                        List.of("a cat", "hi there", "good morning to everyone")));
        assertThat(r.counts()).containsExactly(8, 4, 1, 0);
        assertThat(r.totals()).containsExactly(9, 6, 3, 2);
        assertThat(r.sysLen()).isEqualTo(9);
        assertThat(r.refLen()).isEqualTo(8);
        assertThat(r.score()).isCloseTo(geo(800.0 / 9, 400.0 / 6, 100.0 / 3, 25), within(TOL)); // 47.1405
    }

    @Test
    void corpusBleuPerSegmentTakesEachSegmentsOwnReferencesLikeStreamsWithGaps() {
        // The two-stream example above with its references regrouped per segment gives the same statistics...
        BleuResult same = SacreBleu.corpusBleuPerSegment(List.of("the cat", "hello there", "good morning to you everyone"),
                List.of(List.of("the cat sat", "a cat"), List.of("hello there friend", "hi there"),
                        List.of("good morning", "good morning to everyone")));
        assertThat(same.counts()).containsExactly(8, 4, 1, 0);
        assertThat(same.refLen()).isEqualTo(8);
        // ... and a segment with one reference fewer counts only the references it has: seg 3 against
        // [good morning] alone is 2/5, 1/4, 0/3, 0/2 with closest length 2.
        BleuResult gap = SacreBleu.corpusBleuPerSegment(List.of("the cat", "hello there", "good morning to you everyone"),
                List.of(List.of("the cat sat", "a cat"), List.of("hello there friend", "hi there"), List.of("good morning")));
        assertThat(gap.counts()).containsExactly(6, 3, 0, 0);
        assertThat(gap.totals()).containsExactly(9, 6, 3, 2);
        assertThat(gap.refLen()).isEqualTo(6);
        assertThatThrownBy(() -> SacreBleu.corpusBleuPerSegment(List.of("a"), List.of(List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corpusBleuBrevityPenalty() {
        // seg 1: 5 of 6 ref tokens, all n-grams match: [5,4,3,2]; seg 2 [a dog] vs 4-token ref: [2,1,0,0]
        // sys 7, ref 10, all p_n = 100 -> 100 * exp(1 - 10/7)
        BleuResult r = SacreBleu.corpusBleu(List.of("the cat sat on the", "a dog"),
                List.of(List.of("the cat sat on the mat", "a dog barked loudly")));
        assertThat(r.score()).isCloseTo(100 * Math.exp(1 - 10.0 / 7), within(TOL)); // 65.1439
        assertThat(r.ratio()).isCloseTo(0.7, within(1e-12));
    }

    @Test
    void corpusBleuHasNoEffectiveOrder() {
        // sentence-level: 2 tokens, effective order 2 -> 100. corpus-level: no 3-gram at all -> p3 = 0 ->
        // log taken as -9999999999 -> 0
        assertThat(SacreBleu.sentenceBleu("hello world", List.of("hello world"))).isCloseTo(100, within(TOL));
        assertThat(SacreBleu.corpusBleu(List.of("hello world"), List.of(List.of("hello world"))).score()).isZero();
    }

    @Test
    void corpusBleuRejectsMisalignedStreams() {
        assertThatThrownBy(() -> SacreBleu.corpusBleu(List.of("a", "b"), List.of(List.of("a"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SacreBleu.corpusBleu(List.of("a"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void computeBleuFromStatistics() {
        // the statistics of expSmoothingOneZeroOrder
        BleuResult r = SacreBleu.computeBleu(new int[] {5, 3, 1, 0}, new int[] {6, 5, 4, 3}, 6, 6, true);
        assertThat(r.score()).isCloseTo(geo(500.0 / 6, 60, 25, 100.0 / 6), within(TOL));
    }

    @Test
    void preparedReferencesAreNotChangedByTheHypothesesScoredAgainstThem() {
        // The list-based path interned hypothesis tokens into the references' token table; prepared references are
        // shared by many hypotheses, so scoring one (with tokens no reference has) must not change the next.
        List<String> refs = List.of("The cat sat on the mat.", "A cat was sitting on the mat .", "");
        SacreBleu.References prepared = SacreBleu.references(refs);
        String first = "the cat sat on a mat .";
        BleuResult before = SacreBleu.sentenceBleuResult(first, prepared);
        BleuResult other = SacreBleu.sentenceBleuResult("zebra cat quantum sat on the mat", prepared);
        assertThat(SacreBleu.sentenceBleuResult(first, prepared)).isEqualTo(before);
        assertThat(before).isEqualTo(SacreBleu.sentenceBleuResult(first, refs));
        assertThat(other).isEqualTo(SacreBleu.sentenceBleuResult("zebra cat quantum sat on the mat", refs));
        assertThat(other.counts()[0]).isEqualTo(5); // cat sat on the mat; the unknown words only count in the totals
        assertThat(other.totals()[0]).isEqualTo(7);
        assertThatThrownBy(() -> SacreBleu.references(List.of("", ""))).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The clipped n-gram counts by their definition, with n-grams as lists of tokens: for every distinct hypothesis
     * n-gram, min(its count, its highest count in any one reference); on random text from a small vocabulary, so
     * that n-grams repeat within and across sentences.
     */
    @Test
    void clippedCountsFollowTheirDefinitionOnRandomText() {
        java.util.Random rnd = new java.util.Random(17);
        String[] vocabulary = {"a", "b", "c", "d", ".", ",", "e"};
        for (int trial = 0; trial < 3_000; trial++) {
            int refCount = 1 + rnd.nextInt(3);
            List<String> refs = new java.util.ArrayList<>();
            for (int r = 0; r < refCount; r++) {
                refs.add(sentence(rnd, vocabulary, 1 + rnd.nextInt(12)));
            }
            String hyp = sentence(rnd, vocabulary, rnd.nextInt(14));
            BleuResult got = SacreBleu.sentenceBleuResult(hyp, SacreBleu.references(refs));
            List<String> h = Tokenizer13a.tokens(hyp);
            for (int n = 1; n <= SacreBleu.MAX_NGRAM_ORDER; n++) {
                java.util.Map<List<String>, Integer> hypCounts = ngrams(h, n);
                java.util.Map<List<String>, Integer> refMax = new java.util.HashMap<>();
                for (String r : refs) {
                    ngrams(Tokenizer13a.tokens(r), n).forEach((g, c) -> refMax.merge(g, c, Math::max));
                }
                int expected = 0;
                for (var e : hypCounts.entrySet()) {
                    expected += Math.min(e.getValue(), refMax.getOrDefault(e.getKey(), 0));
                }
                assertThat(got.counts()[n - 1]).as("order %d of %s against %s", n, hyp, refs).isEqualTo(expected);
                assertThat(got.totals()[n - 1]).isEqualTo(Math.max(0, h.size() - n + 1));
            }
            assertThat(got.score()).isEqualTo(SacreBleu.sentenceBleuResult(hyp, refs).score());
        }
    }

    /** Pieces a generated word could be made of, weighted towards what 13a rewrites. */
    private static final String[] WORD_PIECES = {"a", "Bb", "7", "0", ".", ",", "-", "\n", "-\n", " ", "\t", "<skipped>",
            "<skip", "ped>", "<", ">", "&", "&quot;", "&amp;", "&lt;", "&gt;", "quot;", "amp;", "'", "/", "$", "(", "\u00a0",
            "\u00e9", "\u2028", "\u001c", "\u0085", "x.", ".5", "5.", "5-", "-5", ",,", "..", "\u0130", ""};

    @Test
    void joiningWordsWithSpacesAndTokenizingEqualsTokenizingEachWord() {
        java.util.Random rnd = new java.util.Random(13);
        for (int trial = 0; trial < 50_000; trial++) {
            List<String> words = randomWords(rnd);
            String joined = String.join(" ", words);
            assertThat(SacreBleu.hypothesisTokens(words)).as("words %s", words)
                    .isEqualTo(Tokenizer13a.tokens(PyStr.rstrip(joined)));
        }
    }

    @Test
    void sentenceBleuOfWordsEqualsSentenceBleuOfTheirText() {
        java.util.Random rnd = new java.util.Random(17);
        String[] vocabulary = {"the", "cat", "sat", "on", "mat", ".", ",", "a", "5", "-", "dog's", "&amp;", "x.y"};
        for (int trial = 0; trial < 5_000; trial++) {
            List<String> refs = List.of(sentence(rnd, vocabulary, 1 + rnd.nextInt(12)), sentence(rnd, vocabulary, 1 + rnd.nextInt(12)));
            SacreBleu.References prepared = SacreBleu.references(refs);
            List<String> words = rnd.nextInt(4) == 0 ? randomWords(rnd)
                    : Arrays.asList(sentence(rnd, vocabulary, 1 + rnd.nextInt(14)).split(" "));
            assertThat(SacreBleu.sentenceBleu(words, prepared)).as("words %s, references %s", words, refs)
                    .isEqualTo(SacreBleu.sentenceBleu(String.join(" ", words), prepared));
        }
    }

    private static List<String> randomWords(java.util.Random rnd) {
        int n = rnd.nextInt(7);
        java.util.List<String> words = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder w = new StringBuilder();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                w.append(WORD_PIECES[rnd.nextInt(WORD_PIECES.length)]);
            }
            words.add(w.toString());
        }
        return words;
    }

    private static String sentence(java.util.Random rnd, String[] vocabulary, int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(i == 0 ? "" : " ").append(vocabulary[rnd.nextInt(vocabulary.length)]);
        }
        return b.toString();
    }

    private static java.util.Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        java.util.Map<List<String>, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }
}
