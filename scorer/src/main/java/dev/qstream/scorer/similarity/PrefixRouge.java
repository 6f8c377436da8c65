package dev.qstream.scorer.similarity;

import com.carrotsearch.hppc.IntArrayList;
import com.carrotsearch.hppc.LongIntHashMap;

import java.util.List;

/**
 * The ROUGE F-measure of <em>every prefix</em> of a candidate, in one pass: what per-step reward shaping needs.
 * Scoring each prefix with {@link RougeScorer#scoreMulti} costs one full ROUGE computation per step (quadratic in
 * the episode length, times every ROUGE type); here one LCS table row (ROUGE-L) or one count update (ROUGE-1/2) per
 * added token gives the next prefix's score.
 *
 * <p>The results are bit-identical to {@code scoreMulti(references, join(prefix)).<type>().f()}: the same integer
 * counts go through the same floating-point operations ({@link PrecisionRecallF#of}), and the maximum over
 * references is the value {@code scoreMulti} keeps (the first reference with the highest F). The candidate comes as
 * consecutive token groups (one per generated word) because ROUGE tokenization is local: joining words with spaces
 * and tokenizing equals concatenating each word's tokens.
 *
 * <p>Stateless and thread-safe.
 */
public final class PrefixRouge {

    /**
     * One candidate's scores: {@code prefixF[k]} is the F of the per-prefix type for the tokens of pieces 0..k; the
     * other three are the whole candidate's F of each type.
     */
    public record Scores(double[] prefixF, double rougeL, double rouge1, double rouge2) {
    }

    /** The ROUGE variants whose prefix scores this class computes. */
    public enum Type { ROUGE_1, ROUGE_2, ROUGE_L }

    private PrefixRouge() {
    }

    /**
     * @param type       which ROUGE F-measure
     * @param references each reference tokenized with {@link RougeTokenizer#tokenize} (at least one)
     * @param pieces     the candidate as consecutive token groups (a group may be empty, e.g. end-of-sequence)
     * @return {@code f[k]}: the F of the tokens of {@code pieces[0..k]}, max over references
     */
    public static double[] prefixF(Type type, List<List<String>> references, List<List<String>> pieces) {
        return prefixF(List.of(type), references, pieces)[0];
    }

    /**
     * As {@link #prefixF(Type, List, List)} for several types at once.
     *
     * @return {@code f[t][k]}: the F of type {@code types[t]} of the tokens of {@code pieces[0..k]}
     */
    public static double[][] prefixF(List<Type> types, List<List<String>> references, List<List<String>> pieces) {
        return prepare(references).prefixF(types, pieces);
    }

    /**
     * References made ready for the prefix scores of many candidates (every episode of one prompt).
     *
     * @param references each reference tokenized with {@link RougeTokenizer#tokenize} (at least one)
     */
    public static Prepared prepare(List<List<String>> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("prefixF needs at least one reference");
        }
        return new Prepared(references);
    }

    /**
     * References with their tokens as ids and their unigram and bigram counts, computed once. A candidate token no
     * reference has gets id -1: it can match no token, unigram or bigram, which is all ROUGE asks of it. Immutable,
     * so safe to share between threads.
     */
    public static final class Prepared {
        private final TokenIds ids = new TokenIds();
        private final int[][] refs;
        /**
         * Per reference of at most 64 tokens, by token id: the bit set of the positions where the reference has
         * that token (the match masks of the bit-parallel LCS); null for a longer reference.
         */
        private final long[][] matchMasks;
        private final int[][] unigramCounts;
        /** Per reference: bigram (packed token ids) to its index in {@link #bigramCounts}. */
        private final LongIntHashMap[] bigramIndex;
        private final int[][] bigramCounts;

        private Prepared(List<List<String>> references) {
            int r = references.size();
            refs = new int[r][];
            for (int k = 0; k < r; k++) {
                refs[k] = ids.intern(references.get(k));
            }
            unigramCounts = new int[r][ids.size()];
            matchMasks = new long[r][];
            for (int k = 0; k < r; k++) {
                if (refs[k].length <= Long.SIZE) {
                    matchMasks[k] = new long[ids.size()];
                    for (int i = 0; i < refs[k].length; i++) {
                        matchMasks[k][refs[k][i]] |= 1L << i;
                    }
                }
            }
            bigramIndex = new LongIntHashMap[r];
            bigramCounts = new int[r][];
            for (int k = 0; k < r; k++) {
                int[] ref = refs[k];
                for (int t : ref) {
                    unigramCounts[k][t]++;
                }
                bigramIndex[k] = new LongIntHashMap();
                IntArrayList counts = new IntArrayList();
                for (int i = 0; i + 1 < ref.length; i++) {
                    long key = pack(ref[i], ref[i + 1]);
                    int index = bigramIndex[k].getOrDefault(key, -1);
                    if (index < 0) {
                        index = counts.size();
                        bigramIndex[k].put(key, index);
                        counts.add(0);
                    }
                    counts.set(index, counts.get(index) + 1);
                }
                bigramCounts[k] = counts.toArray();
            }
        }

        /**
         * @param pieces the candidate as consecutive token groups (a group may be empty, e.g. end-of-sequence)
         * @return {@code f[t][k]}: the F of type {@code types[t]} of the tokens of {@code pieces[0..k]}, max over
         *         references
         */
        public double[][] prefixF(List<Type> types, List<List<String>> pieces) {
            int[] ends = new int[pieces.size()];
            int[] cand = candidate(pieces, ends);
            double[][] out = new double[types.size()][];
            for (int t = 0; t < out.length; t++) {
                out[t] = best(types.get(t), cand, ends);
            }
            return out;
        }

        /**
         * What a shaped reward and its summary need: the F of type {@code perPrefix} for every prefix that ends a
         * piece, and the F of each type for the whole candidate only. Equal to {@link #prefixF} of all three types
         * (the whole candidate's F is the last prefix's), with the per-prefix scores of the other two types left out.
         */
        public Scores scores(Type perPrefix, List<List<String>> pieces) {
            int[] ends = new int[pieces.size()];
            int[] cand = candidate(pieces, ends);
            double[] prefix = best(perPrefix, cand, ends);
            double last = prefix[prefix.length - 1];
            return new Scores(prefix,
                    perPrefix == Type.ROUGE_L ? last : bestWhole(Type.ROUGE_L, cand),
                    perPrefix == Type.ROUGE_1 ? last : bestWhole(Type.ROUGE_1, cand),
                    perPrefix == Type.ROUGE_2 ? last : bestWhole(Type.ROUGE_2, cand));
        }

        private int[] candidate(List<List<String>> pieces, int[] ends) {
            int total = 0;
            for (List<String> p : pieces) {
                total += p.size();
            }
            int[] cand = new int[total];
            int n = 0;
            for (int k = 0; k < pieces.size(); k++) {
                for (String token : pieces.get(k)) {
                    cand[n++] = ids.find(token);
                }
                ends[k] = n;
            }
            return cand;
        }

        /** The whole candidate's F, max over references (the first one on ties, like scoreMulti). */
        private double bestWhole(Type type, int[] cand) {
            double best = 0;
            for (int k = 0; k < refs.length; k++) {
                double f = switch (type) {
                    case ROUGE_L -> matchMasks[k] != null ? lcsByLength(matchMasks[k], refs[k].length, cand)[cand.length]
                            : lcsByLength(refs[k], cand)[cand.length];
                    case ROUGE_1 -> unigramsByLength(unigramCounts[k], refs[k].length, cand, false)[0];
                    case ROUGE_2 -> bigramsByLength(bigramIndex[k], bigramCounts[k], refs[k].length, cand, false)[0];
                };
                if (k == 0 || f > best) {
                    best = f;
                }
            }
            return best;
        }

        /** The F of every prefix that ends a piece, max over references (the first one on ties, like scoreMulti). */
        private double[] best(Type type, int[] cand, int[] ends) {
            double[] best = null;
            for (int k = 0; k < refs.length; k++) {
                double[] byLength = switch (type) {
                    case ROUGE_L -> matchMasks[k] != null ? lcsByLength(matchMasks[k], refs[k].length, cand)
                            : lcsByLength(refs[k], cand);
                    case ROUGE_1 -> unigramsByLength(unigramCounts[k], refs[k].length, cand, true);
                    case ROUGE_2 -> bigramsByLength(bigramIndex[k], bigramCounts[k], refs[k].length, cand, true);
                };
                if (best == null) {
                    best = new double[ends.length];
                    for (int e = 0; e < ends.length; e++) {
                        best[e] = byLength[ends[e]];
                    }
                } else {
                    for (int e = 0; e < ends.length; e++) {
                        // scoreMulti keeps the first reference on ties, so only a strictly higher F replaces it.
                        if (byLength[ends[e]] > best[e]) {
                            best[e] = byLength[ends[e]];
                        }
                    }
                }
            }
            return best;
        }
    }

    /** F of ROUGE-L for every candidate length 0..n: one row of the LCS table per candidate token. */
    static double[] lcsByLength(int[] ref, int[] cand) {
        int m = ref.length;
        double[] f = new double[cand.length + 1];
        if (m == 0) {
            return f; // rouge-score: all zero when the reference has no token
        }
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int j = 1; j <= cand.length; j++) {
            int c = cand[j - 1];
            for (int i = 1; i <= m; i++) {
                cur[i] = ref[i - 1] == c ? prev[i - 1] + 1 : Math.max(prev[i], cur[i - 1]);
            }
            int lcs = cur[m];
            f[j] = PrecisionRecallF.of((double) lcs / j, (double) lcs / m).f();
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return f;
    }

    /**
     * As {@link #lcsByLength(int[], int[])} for a reference of at most 64 tokens, one machine word per candidate
     * token instead of a table row (the bit-vector LCS of Crochemore et al., in Hyyrö's form): bit i of {@code v} is
     * 0 where the LCS of the reference's first i + 1 tokens with the candidate so far grew over that of its first
     * i, so the LCS is the number of 0 bits. The same integer LCS for every length, so the same F bit for bit.
     */
    static double[] lcsByLength(long[] matchMasks, int m, int[] cand) {
        double[] f = new double[cand.length + 1];
        if (m == 0) {
            return f;
        }
        long low = m == Long.SIZE ? -1L : (1L << m) - 1;
        long v = -1L;
        for (int j = 1; j <= cand.length; j++) {
            int c = cand[j - 1];
            if (c >= 0) { // a token no reference has matches nowhere: v stays
                long u = v & matchMasks[c];
                v = (v + u) | (v - u);
            }
            int lcs = m - Long.bitCount(v & low);
            f[j] = PrecisionRecallF.of((double) lcs / j, (double) lcs / m).f();
        }
        return f;
    }

    /**
     * F of ROUGE-1 for every candidate length ({@code all}; else {@code f[0]} is the whole candidate's): clipped hits
     * grow by one when a token is still under its reference count.
     */
    private static double[] unigramsByLength(int[] refCount, int refLength, int[] cand, boolean all) {
        int[] candCount = new int[refCount.length];
        double[] f = new double[all ? cand.length + 1 : 1];
        long hits = 0;
        for (int j = 1; j <= cand.length; j++) {
            int t = cand[j - 1];
            if (t >= 0 && ++candCount[t] <= refCount[t]) {
                hits++;
            }
            if (all || j == cand.length) {
                f[all ? j : 0] = PrecisionRecallF.of((double) hits / Math.max(j, 1), (double) hits / Math.max(refLength, 1)).f();
            }
        }
        return f;
    }

    /** F of ROUGE-2 for every candidate length (or the whole candidate's), with the same clipping on bigrams. */
    private static double[] bigramsByLength(LongIntHashMap index, int[] refCount, int refLength, int[] cand, boolean all) {
        int[] candCount = new int[refCount.length];
        int refBigrams = Math.max(refLength - 1, 0);
        double[] f = new double[all ? cand.length + 1 : 1];
        long hits = 0;
        for (int j = 1; j <= cand.length; j++) {
            if (j >= 2 && cand[j - 2] >= 0 && cand[j - 1] >= 0) {
                int e = index.getOrDefault(pack(cand[j - 2], cand[j - 1]), -1); // a bigram the reference lacks never hits
                if (e >= 0 && ++candCount[e] <= refCount[e]) {
                    hits++;
                }
            }
            if (all || j == cand.length) {
                int candBigrams = Math.max(j - 1, 0);
                f[all ? j : 0] = PrecisionRecallF.of((double) hits / Math.max(candBigrams, 1), (double) hits / Math.max(refBigrams, 1)).f();
            }
        }
        return f;
    }

    private static long pack(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }
}
