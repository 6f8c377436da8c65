package dev.qstream.scorer.similarity;

import java.util.Arrays;

/**
 * Longest-common-subsequence kernels over token ids ({@code int}s; equal ids = equal tokens).
 *
 * <p>{@link #length} computes only the LCS length, with the bit-parallel algorithm of Allison-Dix / Hyyro
 * (O(|a| * ceil(|b|/64)) word operations, O(|b|/64) memory for the state plus one match mask per distinct
 * token of {@code b}), falling back to a single rolling {@code int} row when the masks would be large.
 *
 * <p>{@link #lcsIndicesInA} reproduces {@code rouge_scorer._lcs_table} + {@code _backtrack_norec} exactly (the
 * same LCS is chosen, which matters for the ROUGE-Lsum union), but stores one direction bit per cell instead
 * of the full integer table: 5,000 x 5,000 tokens cost about 3 MB instead of 100 MB.
 */
final class Lcs {

    private Lcs() {
    }

    /** Above this many mask words we use the rolling-row DP instead of the bit-parallel kernel. */
    private static final long MAX_MASK_WORDS = 1L << 22; // 32 MiB of longs

    /**
     * LCS length of {@code a[0..aLen)} and {@code b[0..bLen)}. Ids must be in {@code [0, alphabet)}.
     */
    static int length(int[] a, int aLen, int[] b, int bLen, int alphabet) {
        if (aLen == 0 || bLen == 0) {
            return 0;
        }
        int words = (bLen + 63) >>> 6;
        if ((long) alphabet * words > MAX_MASK_WORDS) {
            return lengthDp(a, aLen, b, bLen);
        }
        if (words == 1) {
            return lengthOneWord(a, aLen, b, bLen, alphabet);
        }
        long[] masks = new long[alphabet * words];
        for (int j = 0; j < bLen; j++) {
            masks[b[j] * words + (j >>> 6)] |= 1L << (j & 63);
        }
        long[] v = new long[words];
        Arrays.fill(v, -1L);
        for (int i = 0; i < aLen; i++) {
            int base = a[i] * words;
            long carry = 0;
            for (int w = 0; w < words; w++) {
                long vw = v[w];
                long u = vw & masks[base + w];
                long s1 = vw + u;
                long c1 = Long.compareUnsigned(s1, vw) < 0 ? 1L : 0L;
                long s2 = s1 + carry;
                long c2 = (carry != 0 && s2 == 0) ? 1L : 0L;
                carry = c1 | c2;
                v[w] = s2 | (vw & ~u);
            }
        }
        int ones = 0;
        int full = bLen >>> 6;
        for (int w = 0; w < full; w++) {
            ones += Long.bitCount(v[w]);
        }
        int rem = bLen & 63;
        if (rem != 0) {
            ones += Long.bitCount(v[full] & ((1L << rem) - 1));
        }
        return bLen - ones;
    }

    private static int lengthOneWord(int[] a, int aLen, int[] b, int bLen, int alphabet) {
        long[] masks = new long[alphabet];
        for (int j = 0; j < bLen; j++) {
            masks[b[j]] |= 1L << j;
        }
        long v = -1L;
        for (int i = 0; i < aLen; i++) {
            long u = v & masks[a[i]];
            v = (v + u) | (v & ~u);
        }
        long valid = bLen == 64 ? -1L : (1L << bLen) - 1;
        return bLen - Long.bitCount(v & valid);
    }

    /** Classic DP with one rolling row; used as a fallback and as an independent check in tests. */
    static int lengthDp(int[] a, int aLen, int[] b, int bLen) {
        if (aLen == 0 || bLen == 0) {
            return 0;
        }
        int[] row = new int[bLen + 1];
        for (int i = 0; i < aLen; i++) {
            int ai = a[i];
            int diag = 0; // row[j-1] of the previous row
            for (int j = 1; j <= bLen; j++) {
                int up = row[j];
                int val;
                if (ai == b[j - 1]) {
                    val = diag + 1;
                } else {
                    int left = row[j - 1];
                    val = up >= left ? up : left;
                }
                diag = up;
                row[j] = val;
            }
        }
        return row[bLen];
    }

    /**
     * Marks in {@code hit} (indices into {@code a}) the LCS that rouge-score's {@code lcs_ind(a, b)} returns:
     * fill {@code t[i][j]} bottom-up, then walk back from {@code (|a|, |b|)}: on equal tokens take the
     * diagonal and record {@code i-1}; else go left ({@code j-1}) iff {@code t[i][j-1] > t[i-1][j]}, otherwise
     * go up ({@code i-1}).
     *
     * @param scratch reusable buffer holder (may be replaced with a bigger array); index 0 holds the bits
     */
    static void lcsIndicesInA(int[] a, int aFrom, int aLen, int[] b, int bFrom, int bLen, boolean[] hit,
                              long[][] scratch) {
        if (aLen == 0 || bLen == 0) {
            return;
        }
        long cells = (long) aLen * bLen;
        if (cells > (long) Integer.MAX_VALUE * 32) {
            throw new IllegalArgumentException("sentence pair too long for the LCS table: " + aLen + " x " + bLen);
        }
        int nWords = (int) ((cells + 63) >>> 6);
        long[] left = scratch[0];
        if (left == null || left.length < nWords) {
            left = new long[nWords];
            scratch[0] = left;
        } else {
            Arrays.fill(left, 0, nWords, 0L);
        }
        int[] prev = new int[bLen + 1];
        int[] cur = new int[bLen + 1];
        for (int i = 1; i <= aLen; i++) {
            int ai = a[aFrom + i - 1];
            long rowBase = (long) (i - 1) * bLen;
            cur[0] = 0;
            for (int j = 1; j <= bLen; j++) {
                if (ai == b[bFrom + j - 1]) {
                    cur[j] = prev[j - 1] + 1;
                } else {
                    int up = prev[j];
                    int lf = cur[j - 1];
                    if (lf > up) {
                        long bit = rowBase + (j - 1);
                        left[(int) (bit >>> 6)] |= 1L << (bit & 63);
                        cur[j] = lf;
                    } else {
                        cur[j] = up;
                    }
                }
            }
            int[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        int i = aLen;
        int j = bLen;
        while (i > 0 && j > 0) {
            if (a[aFrom + i - 1] == b[bFrom + j - 1]) {
                hit[i - 1] = true;
                i--;
                j--;
            } else {
                long bit = (long) (i - 1) * bLen + (j - 1);
                if ((left[(int) (bit >>> 6)] & (1L << (bit & 63))) != 0) {
                    j--;
                } else {
                    i--;
                }
            }
        }
    }
}
