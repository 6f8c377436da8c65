package dev.qstream.scorer.similarity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum exactly as Google's {@code rouge-score} 0.1.2 computes them with
 * {@code rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=...)} and the
 * default tokenizer ({@code split_summaries=False}).
 *
 * <ul>
 *   <li>ROUGE-N: clipped n-gram count intersection; {@code precision = hits / max(#candidate n-grams, 1)},
 *       {@code recall = hits / max(#reference n-grams, 1)}.</li>
 *   <li>ROUGE-L: LCS of the whole token sequences; all-zero if either side has no token.</li>
 *   <li>ROUGE-Lsum: texts are split on {@code "\n"} only (empty lines dropped); summary-level union LCS of each
 *       reference line against every candidate line, with rouge-score's clipping of each hit by the remaining
 *       unigram counts of both summaries; all-zero if either side has no line or no token.</li>
 *   <li>F: {@code 2PR/(P+R)}, 0 when {@code P+R == 0}.</li>
 * </ul>
 * Results are bit-identical to rouge-score's (same integer counts, same floating-point operations).
 *
 * <p>Instances are immutable and thread-safe: every call allocates its own scratch state.
 */
public final class RougeScorer {

    private final boolean useStemmer;

    public RougeScorer(boolean useStemmer) {
        this.useStemmer = useStemmer;
    }

    /** Tokenizes a text with this scorer's stemming setting (rouge-score's DefaultTokenizer). */
    public List<String> tokenize(String text) {
        return RougeTokenizer.tokenize(text, useStemmer);
    }

    /** {@code scorer.score(target=reference, prediction=candidate)} for all four ROUGE types. */
    public RougeScores score(String reference, String candidate) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(candidate, "candidate");
        return score(Summary.of(reference, useStemmer), Summary.of(candidate, useStemmer));
    }

    /**
     * {@code scorer.score_multi(targets=references, prediction=candidate)}: the candidate is scored against every
     * reference and, independently for each ROUGE type, the score of the first reference with the highest F
     * ({@code np.argmax} over F) is returned whole (precision, recall and F of that same reference).
     *
     * @throws IllegalArgumentException if {@code references} is empty (rouge-score raises from
     *                                  {@code np.argmax} of an empty list)
     */
    public RougeScores scoreMulti(List<String> references, String candidate) {
        Objects.requireNonNull(references, "references");
        Objects.requireNonNull(candidate, "candidate");
        if (references.isEmpty()) {
            throw new IllegalArgumentException("scoreMulti needs at least one reference");
        }
        Summary cand = Summary.of(candidate, useStemmer);
        RougeScores best = null;
        PrecisionRecallF b1 = null;
        PrecisionRecallF b2 = null;
        PrecisionRecallF bL = null;
        PrecisionRecallF bLs = null;
        for (String reference : references) {
            RougeScores s = score(Summary.of(Objects.requireNonNull(reference, "reference"), useStemmer), cand);
            if (best == null) {
                best = s;
                b1 = s.rouge1();
                b2 = s.rouge2();
                bL = s.rougeL();
                bLs = s.rougeLsum();
                continue;
            }
            if (s.rouge1().f() > b1.f()) {
                b1 = s.rouge1();
            }
            if (s.rouge2().f() > b2.f()) {
                b2 = s.rouge2();
            }
            if (s.rougeL().f() > bL.f()) {
                bL = s.rougeL();
            }
            if (s.rougeLsum().f() > bLs.f()) {
                bLs = s.rougeLsum();
            }
        }
        return new RougeScores(b1, b2, bL, bLs);
    }

    /**
     * Fast path: ROUGE-L F-measure only ({@code score(reference, candidate).rougeL().f()}), tokenizing each text
     * once and computing the LCS length with a bit-parallel kernel (no table, no boxing).
     */
    public double rougeLF(String reference, String candidate) {
        if (useStemmer) {
            return rougeLF(RougeTokenizer.tokenize(reference, true), RougeTokenizer.tokenize(candidate, true));
        }
        TokenIds.Fast ids = new TokenIds.Fast(reference.length() + candidate.length());
        int[] cnt = new int[1];
        int[] r = ids.tokenize(reference, cnt);
        int rLen = cnt[0];
        int[] c = ids.tokenize(candidate, cnt);
        int cLen = cnt[0];
        return lcsF(r, rLen, c, cLen, ids.size());
    }

    /** ROUGE-L F-measure of two already-tokenized sequences (e.g. from {@link #tokenize(String)}). */
    public static double rougeLF(List<String> referenceTokens, List<String> candidateTokens) {
        TokenIds ids = new TokenIds(referenceTokens.size() + candidateTokens.size());
        int[] r = ids.intern(referenceTokens);
        int[] c = ids.intern(candidateTokens);
        return lcsF(r, r.length, c, c.length, ids.size());
    }

    /** ROUGE-L (precision, recall, F) of two already-tokenized sequences ({@code rouge_scorer._score_lcs}). */
    public static PrecisionRecallF rougeL(List<String> referenceTokens, List<String> candidateTokens) {
        TokenIds ids = new TokenIds();
        int[] r = ids.intern(referenceTokens);
        int[] c = ids.intern(candidateTokens);
        return lcsScore(r, r.length, c, c.length, ids.size());
    }

    /** ROUGE-N of two already-tokenized sequences ({@code _create_ngrams} + {@code _score_ngrams}); n >= 1. */
    public static PrecisionRecallF rougeN(List<String> referenceTokens, List<String> candidateTokens, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("rougen requires positive n: " + n);
        }
        TokenIds ids = new TokenIds();
        int[] r = ids.intern(referenceTokens);
        int[] c = ids.intern(candidateTokens);
        return ngramScore(r, c, n, ids.size());
    }

    /**
     * ROUGE-Lsum of already-tokenized sentences ({@code rouge_scorer._summary_level_lcs}). Each inner list is one
     * (non-empty-line) sentence; inner lists may be empty.
     */
    public static PrecisionRecallF rougeLsum(List<List<String>> referenceSentences,
                                             List<List<String>> candidateSentences) {
        return score(Summary.ofTokens(referenceSentences), Summary.ofTokens(candidateSentences)).rougeLsum();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A tokenized text: its non-empty lines' tokens, and (by concatenation) the whole-text tokens. */
    private record Summary(List<List<String>> sentences, List<String> tokens) {

        static Summary of(String text, boolean stem) {
            List<String> lines = RougeTokenizer.splitLines(text);
            List<List<String>> sents = new ArrayList<>(lines.size());
            List<String> all = new ArrayList<>();
            for (String line : lines) {
                List<String> t = RougeTokenizer.tokenize(line, stem);
                sents.add(t);
                all.addAll(t);
            }
            // Tokenization is local and '\n' is a separator, so tokenize(text) == concat(tokenize(line)).
            return new Summary(sents, all);
        }

        static Summary ofTokens(List<List<String>> sentences) {
            List<String> all = new ArrayList<>();
            for (List<String> s : sentences) {
                all.addAll(s);
            }
            return new Summary(sentences, all);
        }
    }

    private static RougeScores score(Summary ref, Summary cand) {
        TokenIds ids = new TokenIds(ref.tokens().size() + cand.tokens().size());
        int[] r = ids.intern(ref.tokens());
        int[] c = ids.intern(cand.tokens());
        int alphabet = ids.size();
        PrecisionRecallF r1 = ngramScore(r, c, 1, alphabet);
        PrecisionRecallF r2 = ngramScore(r, c, 2, alphabet);
        PrecisionRecallF rl = lcsScore(r, r.length, c, c.length, alphabet);
        PrecisionRecallF rls = summaryLevelLcs(ref.sentences(), r, cand.sentences(), c, alphabet);
        return new RougeScores(r1, r2, rl, rls);
    }

    private static double lcsF(int[] r, int rLen, int[] c, int cLen, int alphabet) {
        if (rLen == 0 || cLen == 0) {
            return 0.0;
        }
        int lcs = Lcs.length(c, cLen, r, rLen, alphabet);
        double precision = (double) lcs / cLen;
        double recall = (double) lcs / rLen;
        return PrecisionRecallF.fmeasure(precision, recall);
    }

    private static PrecisionRecallF lcsScore(int[] r, int rLen, int[] c, int cLen, int alphabet) {
        if (rLen == 0 || cLen == 0) {
            return PrecisionRecallF.ZERO;
        }
        int lcs = Lcs.length(c, cLen, r, rLen, alphabet);
        return PrecisionRecallF.of((double) lcs / cLen, (double) lcs / rLen);
    }

    /** Clipped n-gram intersection over sorted n-gram keys. */
    static PrecisionRecallF ngramScore(int[] r, int[] c, int n, int alphabet) {
        int rCount = Math.max(r.length - n + 1, 0);
        int cCount = Math.max(c.length - n + 1, 0);
        long hits;
        if (n == 1) {
            int[] cntR = new int[alphabet];
            int[] cntC = new int[alphabet];
            for (int t : r) {
                cntR[t]++;
            }
            for (int t : c) {
                cntC[t]++;
            }
            hits = 0;
            for (int k = 0; k < alphabet; k++) {
                hits += Math.min(cntR[k], cntC[k]);
            }
        } else {
            int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(alphabet - 1, 1)));
            if ((long) bits * n <= 63) {
                long[] kr = packedNgrams(r, n, bits, rCount);
                long[] kc = packedNgrams(c, n, bits, cCount);
                hits = sortedIntersection(kr, kc);
            } else {
                hits = hashedIntersection(r, c, n, rCount, cCount);
            }
        }
        double precision = (double) hits / Math.max(cCount, 1);
        double recall = (double) hits / Math.max(rCount, 1);
        return PrecisionRecallF.of(precision, recall);
    }

    private static long[] packedNgrams(int[] t, int n, int bits, int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            long k = 0;
            for (int j = 0; j < n; j++) {
                k = (k << bits) | t[i + j];
            }
            keys[i] = k;
        }
        Arrays.sort(keys);
        return keys;
    }

    /** Sum over distinct keys of min(count in a, count in b); both arrays sorted. */
    private static long sortedIntersection(long[] a, long[] b) {
        long hits = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            long x = a[i];
            long y = b[j];
            if (x < y) {
                i++;
            } else if (x > y) {
                j++;
            } else {
                int ca = 0;
                while (i < a.length && a[i] == x) {
                    ca++;
                    i++;
                }
                int cb = 0;
                while (j < b.length && b[j] == x) {
                    cb++;
                    j++;
                }
                hits += Math.min(ca, cb);
            }
        }
        return hits;
    }

    private static long hashedIntersection(int[] r, int[] c, int n, int rCount, int cCount) {
        Map<List<Integer>, int[]> counts = new HashMap<>();
        for (int i = 0; i < rCount; i++) {
            counts.computeIfAbsent(gram(r, i, n), k -> new int[2])[0]++;
        }
        for (int i = 0; i < cCount; i++) {
            int[] e = counts.get(gram(c, i, n));
            if (e != null) {
                e[1]++;
            }
        }
        long hits = 0;
        for (int[] e : counts.values()) {
            hits += Math.min(e[0], e[1]);
        }
        return hits;
    }

    private static List<Integer> gram(int[] t, int from, int n) {
        List<Integer> g = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            g.add(t[from + j]);
        }
        return g;
    }

    /**
     * {@code _summary_level_lcs}: for each reference sentence, the union (over candidate sentences) of the LCS
     * positions chosen by rouge-score's backtrack; each position whose token still has a positive remaining count
     * in both summaries is a hit and decrements both counts.
     */
    private static PrecisionRecallF summaryLevelLcs(List<List<String>> refSents, int[] r,
                                                    List<List<String>> candSents, int[] c, int alphabet) {
        if (refSents.isEmpty() || candSents.isEmpty()) {
            return PrecisionRecallF.ZERO;
        }
        int m = r.length;
        int n = c.length;
        if (m == 0 || n == 0) {
            return PrecisionRecallF.ZERO;
        }
        int[] cntR = new int[alphabet];
        int[] cntC = new int[alphabet];
        for (int t : r) {
            cntR[t]++;
        }
        for (int t : c) {
            cntC[t]++;
        }
        int[] candStart = new int[candSents.size() + 1];
        for (int k = 0; k < candSents.size(); k++) {
            candStart[k + 1] = candStart[k] + candSents.get(k).size();
        }
        long[][] scratch = new long[1][];
        long hits = 0;
        int rFrom = 0;
        for (List<String> sent : refSents) {
            int rLen = sent.size();
            boolean[] hit = new boolean[rLen];
            for (int k = 0; k < candSents.size(); k++) {
                int cFrom = candStart[k];
                int cLen = candStart[k + 1] - cFrom;
                Lcs.lcsIndicesInA(r, rFrom, rLen, c, cFrom, cLen, hit, scratch);
            }
            for (int idx = 0; idx < rLen; idx++) {
                if (hit[idx]) {
                    int t = r[rFrom + idx];
                    if (cntC[t] > 0 && cntR[t] > 0) {
                        hits++;
                        cntC[t]--;
                        cntR[t]--;
                    }
                }
            }
            rFrom += rLen;
        }
        double recall = (double) hits / m;
        double precision = (double) hits / n;
        return PrecisionRecallF.of(precision, recall);
    }
}
