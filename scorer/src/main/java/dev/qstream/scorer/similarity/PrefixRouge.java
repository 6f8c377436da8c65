package dev.qstream.scorer.similarity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
     * As {@link #prefixF(Type, List, List)} for several types at once, the tokens interned once for all of them.
     *
     * @return {@code f[t][k]}: the F of type {@code types[t]} of the tokens of {@code pieces[0..k]}
     */
    public static double[][] prefixF(List<Type> types, List<List<String>> references, List<List<String>> pieces) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("prefixF needs at least one reference");
        }
        Map<String, Integer> ids = new HashMap<>();
        int total = 0;
        for (List<String> p : pieces) {
            total += p.size();
        }
        int[] cand = new int[total];
        int[] ends = new int[pieces.size()];
        int n = 0;
        for (int k = 0; k < pieces.size(); k++) {
            for (String token : pieces.get(k)) {
                cand[n++] = intern(ids, token);
            }
            ends[k] = n;
        }
        List<int[]> refs = new ArrayList<>(references.size());
        for (List<String> r : references) {
            int[] ref = new int[r.size()];
            for (int i = 0; i < ref.length; i++) {
                ref[i] = intern(ids, r.get(i));
            }
            refs.add(ref);
        }
        double[][] out = new double[types.size()][];
        for (int t = 0; t < out.length; t++) {
            out[t] = best(types.get(t), refs, cand, ends, ids.size());
        }
        return out;
    }

    /** The F of every prefix that ends a piece, max over references (the first one on ties, like scoreMulti). */
    private static double[] best(Type type, List<int[]> refs, int[] cand, int[] ends, int alphabet) {
        double[] best = null;
        for (int[] ref : refs) {
            double[] byLength = switch (type) {
                case ROUGE_L -> lcsByLength(ref, cand);
                case ROUGE_1 -> unigramsByLength(ref, cand, alphabet);
                case ROUGE_2 -> bigramsByLength(ref, cand);
            };
            if (best == null) {
                best = new double[ends.length];
                for (int k = 0; k < ends.length; k++) {
                    best[k] = byLength[ends[k]];
                }
            } else {
                for (int k = 0; k < ends.length; k++) {
                    // scoreMulti keeps the first reference on ties, so only a strictly higher F replaces it.
                    if (byLength[ends[k]] > best[k]) {
                        best[k] = byLength[ends[k]];
                    }
                }
            }
        }
        return best;
    }

    private static int intern(Map<String, Integer> ids, String token) {
        Integer id = ids.get(token);
        if (id == null) {
            id = ids.size();
            ids.put(token, id);
        }
        return id;
    }

    /** F of ROUGE-L for every candidate length 0..n: one row of the LCS table per candidate token. */
    private static double[] lcsByLength(int[] ref, int[] cand) {
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

    /** F of ROUGE-1 for every candidate length: clipped hits grow by one when a token is still under its reference count. */
    private static double[] unigramsByLength(int[] ref, int[] cand, int alphabet) {
        int[] refCount = new int[alphabet];
        for (int t : ref) {
            refCount[t]++;
        }
        int[] candCount = new int[alphabet];
        double[] f = new double[cand.length + 1];
        long hits = 0;
        for (int j = 1; j <= cand.length; j++) {
            int t = cand[j - 1];
            if (++candCount[t] <= refCount[t]) {
                hits++;
            }
            f[j] = PrecisionRecallF.of((double) hits / Math.max(j, 1), (double) hits / Math.max(ref.length, 1)).f();
        }
        return f;
    }

    /** F of ROUGE-2 for every candidate length, with the same clipping on bigrams. */
    private static double[] bigramsByLength(int[] ref, int[] cand) {
        Map<Long, int[]> counts = new HashMap<>(); // bigram -> {count in reference, count in candidate so far}
        for (int i = 0; i + 1 < ref.length; i++) {
            counts.computeIfAbsent(pack(ref[i], ref[i + 1]), k -> new int[2])[0]++;
        }
        int refBigrams = Math.max(ref.length - 1, 0);
        double[] f = new double[cand.length + 1];
        long hits = 0;
        for (int j = 1; j <= cand.length; j++) {
            if (j >= 2) {
                int[] e = counts.get(pack(cand[j - 2], cand[j - 1])); // a bigram the reference lacks never hits
                if (e != null && ++e[1] <= e[0]) {
                    hits++;
                }
            }
            int candBigrams = Math.max(j - 1, 0);
            f[j] = PrecisionRecallF.of((double) hits / Math.max(candBigrams, 1), (double) hits / Math.max(refBigrams, 1)).f();
        }
        return f;
    }

    private static long pack(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }
}
