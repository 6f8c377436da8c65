package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked expectations for rouge-score 0.1.2 semantics. Notation: P = precision, R = recall, F = 2PR/(P+R).
 */
class RougeScorerTest {

    private static final double EPS = 1e-12;

    private final RougeScorer plain = new RougeScorer(false);
    private final RougeScorer stemmed = new RougeScorer(true);

    private static void assertPrf(PrecisionRecallF s, double p, double r, double f) {
        assertThat(s.precision()).as("precision").isCloseTo(p, within(EPS));
        assertThat(s.recall()).as("recall").isCloseTo(r, within(EPS));
        assertThat(s.f()).as("f").isCloseTo(f, within(EPS));
    }

    private static void assertAllZero(RougeScores s) {
        for (PrecisionRecallF x : List.of(s.rouge1(), s.rouge2(), s.rougeL(), s.rougeLsum())) {
            assertThat(x).isEqualTo(PrecisionRecallF.ZERO);
        }
    }

    // ------------------------------------------------------------------------------------------------- basics

    @Test
    void upstreamUnitCases() {
        // rouge_scorer_test.py testRouge1: target "testing one two", prediction "testing": P=1/1, R=1/3, F=1/2
        assertPrf(plain.score("testing one two", "testing").rouge1(), 1, 1.0 / 3, 0.5);
        // testRouge2: bigrams target {testing one, one two}, prediction {testing one}: P=1, R=1/2, F=2/3
        assertPrf(plain.score("testing one two", "testing one").rouge2(), 1, 0.5, 2.0 / 3);
        // testRougeLConsecutive / NonConsecutive: LCS 2 of 3 and 2 -> P=1, R=2/3, F=4/5
        assertPrf(plain.score("testing one two", "testing one").rougeL(), 1, 2.0 / 3, 0.8);
        assertPrf(plain.score("testing one two", "testing two").rougeL(), 1, 2.0 / 3, 0.8);
    }

    @Test
    void emptyInputsGiveZeros() {
        assertAllZero(plain.score("testing one two", ""));
        assertAllZero(plain.score("", "testing one two"));
        assertAllZero(plain.score("", ""));
        assertAllZero(stemmed.score("   \n\t ", "\n\n"));
        // punctuation only = no token
        assertAllZero(plain.score("w1 w2 w3 w4 w5", "/"));
        assertAllZero(plain.score("!!! ... ???", "!!! ... ???"));
    }

    @Test
    void accentedLettersAreSeparators() {
        // ref tokens [caf, cr, me, br, l, e], cand [cafe, creme, brulee]: nothing in common
        assertAllZero(plain.score("café crème brûlée", "cafe creme brulee"));
        // ref "Müller said" -> [m, ller, said]; cand "muller said" -> [muller, said]
        // rouge1: 1 hit -> P = 1/2, R = 1/3, F = (2 * 1/2 * 1/3) / (5/6) = 0.4
        RougeScores s = plain.score("Müller said", "muller said");
        assertPrf(s.rouge1(), 0.5, 1.0 / 3, 0.4);
        // bigrams {m ller, ller said} vs {muller said}: none
        assertPrf(s.rouge2(), 0, 0, 0);
        // LCS = [said]
        assertPrf(s.rougeL(), 0.5, 1.0 / 3, 0.4);
        assertPrf(s.rougeLsum(), 0.5, 1.0 / 3, 0.4);
    }

    @Test
    void cjkTextIsEmptyEvenWhenIdentical() {
        assertAllZero(plain.score("我爱北京天安门", "我爱北京天安门"));
        assertAllZero(stemmed.score("日本語のテキスト", "日本語のテキスト"));
        // only the ASCII digits survive: [2020] vs [2020] -> 1.0
        assertPrf(plain.score("東京2020", "北京2020").rouge1(), 1, 1, 1);
    }

    @Test
    void repeatedTokensAreClipped() {
        // ref: the x5, cand: the, cat -> rouge1 hits min(5,1) = 1: P = 1/2, R = 1/5, F = 0.2/0.7
        RougeScores s = plain.score("the the the the the", "the cat");
        assertPrf(s.rouge1(), 0.5, 0.2, 0.2 / 0.7);
        // bigrams: ref (the the)x4, cand (the cat): 0
        assertPrf(s.rouge2(), 0, 0, 0);
        // LCS 1
        assertPrf(s.rougeL(), 0.5, 0.2, 0.2 / 0.7);

        // ref a a b, cand a b b: unigram hits min(2,1)+min(1,2) = 2 -> 2/3 each;
        // bigrams {aa, ab} vs {ab, bb}: 1 of 2; LCS("a a b","a b b") = 2 ("a b")
        RougeScores t = plain.score("a a b", "a b b");
        assertPrf(t.rouge1(), 2.0 / 3, 2.0 / 3, 2.0 / 3);
        assertPrf(t.rouge2(), 0.5, 0.5, 0.5);
        assertPrf(t.rougeL(), 2.0 / 3, 2.0 / 3, 2.0 / 3);
    }

    @Test
    void shortTextsHaveNoBigramsButNoDivisionByZero() {
        // one token each: no bigram on either side -> P = 0/max(0,1), R = 0/max(0,1)
        RougeScores s = plain.score("a", "a");
        assertPrf(s.rouge1(), 1, 1, 1);
        assertPrf(s.rouge2(), 0, 0, 0);
        assertPrf(s.rougeL(), 1, 1, 1);
    }

    // ------------------------------------------------------------------------------------------------- stemming

    @Test
    void stemmingChangesTheResult() {
        // unstemmed: [running, dogs] vs [run, dog]: nothing shared
        assertAllZero(plain.score("running dogs", "run dog"));
        // stemmed: [run, dog] vs [run, dog] ('run' and 'dog' have 3 letters and are left alone)
        RougeScores s = stemmed.score("running dogs", "run dog");
        assertPrf(s.rouge1(), 1, 1, 1);
        assertPrf(s.rouge2(), 1, 1, 1);
        assertPrf(s.rougeL(), 1, 1, 1);
        assertPrf(s.rougeLsum(), 1, 1, 1);

        // ref [the, dogs, are, running] vs cand [the, dog, is, run]
        // unstemmed: only 'the' -> 1/4; stemmed: [the, dog, are, run] vs [the, dog, is, run] -> 3/4,
        // bigrams {the dog, dog are, are run} vs {the dog, dog is, is run}: 1/3, LCS [the dog run] = 3
        assertPrf(plain.score("The dogs are running.", "The dog is run.").rouge1(), 0.25, 0.25, 0.25);
        RougeScores t = stemmed.score("The dogs are running.", "The dog is run.");
        assertPrf(t.rouge1(), 0.75, 0.75, 0.75);
        assertPrf(t.rouge2(), 1.0 / 3, 1.0 / 3, 1.0 / 3);
        assertPrf(t.rougeL(), 0.75, 0.75, 0.75);
    }

    // ------------------------------------------------------------------------------------------------- Lsum

    @Test
    void summaryLevelLcsUpstreamExample() {
        // rouge_scorer_test.py testRougeLsum: ref [w1..w5]; cand lines [w1 w2 w6 w7 w8], [w1 w3 w8 w9 w5]
        // LCS indices in ref: {0,1} and {0,2,4}; union {0,1,2,4} -> 4 hits; R = 4/5, P = 4/10, F = 0.64/1.2
        PrecisionRecallF s = plain.score("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5").rougeLsum();
        assertPrf(s, 0.4, 0.8, 0.64 / 1.2);
    }

    @Test
    void lsumMatchesSentencesInAnyOrderButRougeLDoesNot() {
        // rougeL: [a b c d] vs [c d a b]: LCS 2 -> 0.5.  rougeLsum: each ref line is found whole in some cand
        // line -> 4 hits of 4 -> 1.0 (cf. upstream testRougeLSumSentenceSplitting)
        RougeScores s = plain.score("a b\nc d", "c d\na b");
        assertPrf(s.rougeL(), 0.5, 0.5, 0.5);
        assertPrf(s.rougeLsum(), 1, 1, 1);
        // without the newlines both are one sentence: Lsum == L == 0.5
        assertPrf(plain.score("a b c d", "c d a b").rougeLsum(), 0.5, 0.5, 0.5);
    }

    @Test
    void lsumUnionIsOverReferencePositions() {
        // ref line [a a]; cand lines [a], [a]. For each cand line the backtrack ends at ref index 1
        // (t[2][1]: ref[1] == can[0] -> diagonal), so the union is {1}: one hit. m = 2, n = 2 -> 0.5.
        // Whole-text rougeL sees [a a] vs [a a] -> 1.0.
        RougeScores s = plain.score("a a", "a\na");
        assertPrf(s.rougeLsum(), 0.5, 0.5, 0.5);
        assertPrf(s.rougeL(), 1, 1, 1);
    }

    @Test
    void lsumDependsOnWhichLcsTheBacktrackPicks() {
        // ref lines [a b], [b]; cand [b a]. For [a b] vs [b a] both 'a' and 'b' are an LCS of length 1; the
        // backtrack starts at (2,2), tokens differ, t[2][1] = 1 is not > t[1][2] = 1, so it goes up and then
        // takes 'a' (ref index 0). Hits: 'a' (counts c{a:0,b:1}), then line [b] hits 'b'. hits 2, m 3, n 2:
        // P = 1, R = 2/3, F = 0.8. (Picking 'b' first would exhaust 'b' and give only 1 hit.)
        assertPrf(plain.score("a b\nb", "b a").rougeLsum(), 1, 2.0 / 3, 0.8);
    }

    @Test
    void lsumHitsAreClippedByRemainingCounts() {
        // ref lines [a b], [a b]; cand [a b]. Line 1: union {0,1}, counts c{a:1,b:1} r{a:2,b:2} -> 2 hits,
        // c{a:0,b:0}. Line 2: union {0,1} but candidate counts are exhausted -> 0. hits 2, m 4, n 2:
        // R = 0.5, P = 1, F = 1/1.5
        PrecisionRecallF s = plain.score("a b\na b", "a b").rougeLsum();
        assertPrf(s, 1, 0.5, 2.0 / 3);
    }

    @Test
    void lsumIgnoresEmptyLinesAndKeepsTokenlessOnes() {
        PrecisionRecallF base = plain.score("a b\nc d", "c d\na b").rougeLsum();
        assertThat(plain.score("a b\n\n\nc d\n", "\nc d\n!!!\na b\r").rougeLsum()).isEqualTo(base);
        // empty-on-one-side cases (upstream testRougeLsum)
        assertThat(plain.score("w1 w2 w3 w4 w5", "").rougeLsum()).isEqualTo(PrecisionRecallF.ZERO);
        assertThat(plain.score("", "w1").rougeLsum()).isEqualTo(PrecisionRecallF.ZERO);
        assertThat(plain.score("w1 w2 w3 w4 w5", "/").rougeLsum()).isEqualTo(PrecisionRecallF.ZERO);
    }

    @Test
    void rougeLsumOnTokenLists() {
        // upstream testSummaryLevelLcs: tokenizer may drop all tokens -> empty candidate sentence -> 0 recall
        assertThat(RougeScorer.rougeLsum(List.of(List.of("reference")), List.of(List.of())).recall()).isZero();
        PrecisionRecallF s = RougeScorer.rougeLsum(
                List.of(List.of("1", "2", "3", "4", "5")),
                List.of(List.of("1", "2", "6", "7", "8"), List.of("1", "3", "8", "9", "5")));
        assertPrf(s, 0.4, 0.8, 0.64 / 1.2);
    }

    // ------------------------------------------------------------------------------------------------- multi

    @Test
    void scoreMultiUpstreamExample() {
        // testRougeAllMulti: refs "first text", "first something"; cand "text first"
        RougeScores s = plain.scoreMulti(List.of("first text", "first something"), "text first");
        assertThat(s.rouge1().f()).isCloseTo(1, within(EPS));
        assertThat(s.rouge2().f()).isCloseTo(0, within(EPS));
        assertThat(s.rougeL().f()).isCloseTo(0.5, within(EPS));
    }

    @Test
    void scoreMultiPicksTheBestReferencePerTypeIndependently() {
        // cand [a b c d e]
        // ref1 [a b c d]:   rouge1 4 hits: P 4/5 R 1 F 8/9; rouge2 {ab bc cd} vs {ab bc cd de}: P 3/4 R 1
        //                   F 6/7; LCS 4: P 4/5 R 1 F 8/9
        // ref2 [d c b a e]: rouge1 5 hits: 1/1/1; rouge2 {dc cb ba ae}: 0; LCS 2: P 2/5 R 2/5 F 2/5
        // -> rouge1 from ref2, rouge2 and rougeL from ref1, each with its own P and R
        RougeScores s = plain.scoreMulti(List.of("a b c d", "d c b a e"), "a b c d e");
        assertPrf(s.rouge1(), 1, 1, 1);
        assertPrf(s.rouge2(), 0.75, 1, 6.0 / 7);
        assertPrf(s.rougeL(), 0.8, 1, 8.0 / 9);
    }

    @Test
    void scoreMultiTiesGoToTheFirstReference() {
        // cand [a y]. ref "x a": 1 hit, P 1/2, R 1/2, F 0.5. ref "a y q r s t": 2 hits, P 1, R 1/3,
        // F = (2/3)/(4/3) = 0.5 (exactly, in doubles too). ref "a b c": P 1/2, R 1/3, F 0.4.
        // np.argmax returns the first maximum, so the order of the references decides.
        RougeScores first = plain.scoreMulti(List.of("x a", "a b c", "a y q r s t"), "a y");
        assertPrf(first.rouge1(), 0.5, 0.5, 0.5);
        RougeScores swapped = plain.scoreMulti(List.of("a y q r s t", "a b c", "x a"), "a y");
        assertPrf(swapped.rouge1(), 1, 1.0 / 3, 0.5);
        assertThat(plain.scoreMulti(List.of("a b c"), "a y")).isEqualTo(plain.score("a b c", "a y"));
        assertThatThrownBy(() -> plain.scoreMulti(List.of(), "a")).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------- long

    @Test
    void fiveThousandTokensReversed() {
        StringBuilder ref = new StringBuilder();
        StringBuilder cand = new StringBuilder();
        int n = 5000;
        for (int i = 0; i < n; i++) {
            ref.append('w').append(i).append(' ');
            cand.append('w').append(n - 1 - i).append(' ');
        }
        RougeScores s = plain.score(ref.toString(), cand.toString());
        // same multiset of 5000 distinct tokens -> rouge1 = 1; no bigram in common; LCS of a permutation and its
        // reverse = 1
        assertPrf(s.rouge1(), 1, 1, 1);
        assertPrf(s.rouge2(), 0, 0, 0);
        double one = 1.0 / n;
        assertPrf(s.rougeL(), one, one, one);
        // a single line each: summary-level LCS = the one LCS position
        assertPrf(s.rougeLsum(), one, one, one);
    }

    @Test
    void fiveThousandTokensAlternating() {
        // ref (a b)^2500, cand (b a)^2500: LCS = 4999 (drop one end); bigrams ref ab x2500, ba x2499,
        // cand ba x2500, ab x2499 -> 4998 hits of 4999
        String ref = "a b ".repeat(2500);
        String cand = "b a ".repeat(2500);
        RougeScores s = stemmed.score(ref, cand);
        assertPrf(s.rouge1(), 1, 1, 1);
        assertPrf(s.rouge2(), 4998.0 / 4999, 4998.0 / 4999, 4998.0 / 4999);
        assertPrf(s.rougeL(), 4999.0 / 5000, 4999.0 / 5000, 4999.0 / 5000);
        assertPrf(s.rougeLsum(), 4999.0 / 5000, 4999.0 / 5000, 4999.0 / 5000);
        assertThat(stemmed.rougeLF(ref, cand)).isEqualTo(s.rougeL().f());
    }

    @Test
    void manyLinesForLsum() {
        // 100 ref lines "a{i} b{i} c{i}" and the same lines in reverse order as the candidate: every ref line is
        // found whole in one candidate line -> 300/300 for Lsum, while whole-text LCS is one line (3 of 300)
        StringBuilder ref = new StringBuilder();
        StringBuilder cand = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            ref.append("a").append(i).append(" b").append(i).append(" c").append(i).append('\n');
            int j = 99 - i;
            cand.append("a").append(j).append(" b").append(j).append(" c").append(j).append('\n');
        }
        RougeScores s = plain.score(ref.toString(), cand.toString());
        assertPrf(s.rougeLsum(), 1, 1, 1);
        assertPrf(s.rougeL(), 0.01, 0.01, 0.01);
    }

    // ------------------------------------------------------------------------------------------------- fast path

    @Test
    void fastPathAgreesWithFullScore() {
        Random rnd = new Random(11);
        String[] vocab = {"the", "The", "cat", "cats", "running", "ran", "é", "İ", "\u212A", "a", "b", "-", ",",
            "\n", "東京", "dog", "dogs", "ok", "42"};
        for (int k = 0; k < 2000; k++) {
            String ref = randomText(rnd, vocab, rnd.nextInt(90));
            String cand = randomText(rnd, vocab, rnd.nextInt(90));
            for (RougeScorer sc : List.of(plain, stemmed)) {
                double full = sc.score(ref, cand).rougeL().f();
                assertThat(sc.rougeLF(ref, cand)).as("%s | %s", ref, cand).isEqualTo(full);
                assertThat(RougeScorer.rougeLF(sc.tokenize(ref), sc.tokenize(cand))).isEqualTo(full);
                assertThat(RougeScorer.rougeL(sc.tokenize(ref), sc.tokenize(cand)).f()).isEqualTo(full);
            }
        }
    }

    @Test
    void rougeNOnTokens() {
        // trigrams of [a b c d] {abc, bcd} vs [a b c] {abc}: P 1, R 1/2
        assertPrf(RougeScorer.rougeN(List.of("a", "b", "c", "d"), List.of("a", "b", "c"), 3), 1, 0.5, 2.0 / 3);
        assertThatThrownBy(() -> RougeScorer.rougeN(List.of("a"), List.of("a"), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String randomText(Random rnd, String[] vocab, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(vocab[rnd.nextInt(vocab.length)]).append(rnd.nextInt(5) == 0 ? "" : " ");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------- threads

    @Test
    void concurrentCallsGiveTheSameResults() throws Exception {
        Random rnd = new Random(3);
        String[] vocab = {"alpha", "beta", "gamma", "delta", "running", "runs", "x", "y", "\n"};
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pairs.add(new String[] {randomText(rnd, vocab, 60), randomText(rnd, vocab, 60)});
        }
        List<RougeScores> sequential = new ArrayList<>();
        for (String[] p : pairs) {
            sequential.add(stemmed.score(p[0], p[1]));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < pairs.size(); i++) {
                        if (!stemmed.score(pairs.get(i)[0], pairs.get(i)[1]).equals(sequential.get(i))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------------- ROUGE-1.5.5

    private static String resource(String name) throws IOException {
        try (InputStream in = RougeScorerTest.class.getResourceAsStream("/rouge_testdata/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertPrf5(PrecisionRecallF s, double p, double r, double f) {
        // assertAlmostEqual(..., places=5) as in rouge_scorer_test.py
        assertThat(s.precision()).isCloseTo(p, within(5e-6));
        assertThat(s.recall()).isCloseTo(r, within(5e-6));
        assertThat(s.f()).isCloseTo(f, within(5e-6));
    }

    @Test
    void agreesWithRouge155GroundTruthUsedByUpstreamTests() throws IOException {
        String[] targets = resource("target.txt").split("\n");
        String[] predictions = resource("prediction.txt").split("\n");
        // testRouge1AgainstRouge155 / testRouge2... / testRougeL... (values from ROUGE-1.5.5 runs)
        RougeScores s0 = plain.score(targets[0], predictions[0]);
        assertPrf5(s0.rouge1(), 0.68750, 0.40741, 0.51163);
        assertPrf5(s0.rouge2(), 0.53333, 0.30769, 0.39024);
        assertPrf5(s0.rougeL(), 0.68750, 0.40741, 0.51163);
        RougeScores s1 = plain.score(targets[1], predictions[1]);
        assertPrf5(s1.rouge1(), 0.65385, 0.40476, 0.50000);
        assertPrf5(s1.rouge2(), 0.48000, 0.29268, 0.36364);
        assertPrf5(s1.rougeL(), 0.65385, 0.40476, 0.50000);
        // ...WithStemming
        RougeScores t0 = stemmed.score(targets[0], predictions[0]);
        assertPrf5(t0.rouge1(), 0.68750, 0.40741, 0.51163);
        assertPrf5(t0.rouge2(), 0.53333, 0.30769, 0.39024);
        RougeScores t1 = stemmed.score(targets[1], predictions[1]);
        assertPrf5(t1.rouge1(), 0.69231, 0.42857, 0.52941);
        assertPrf5(t1.rouge2(), 0.48000, 0.29268, 0.36364);
        // testRougeLSumAgainstRouge155WithStemming (multi-line files)
        PrecisionRecallF lsum = stemmed.score(resource("target_multi.0.txt"), resource("prediction_multi.0.txt"))
                .rougeLsum();
        assertPrf5(lsum, 0.66667, 0.36538, 0.47205);
    }
}
