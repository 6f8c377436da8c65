package dev.qstream.scorer.similarity;

import java.util.Arrays;

/**
 * sacreBLEU's {@code BLEUScore}: the score (0-100) and its sufficient statistics.
 *
 * @param score      BLEU on the 0-100 scale
 * @param counts     matched (clipped) n-gram counts, n = 1..4
 * @param totals     hypothesis n-gram counts, n = 1..4
 * @param precisions n-gram precisions in percent (smoothed where applicable; 0 for orders not reached)
 * @param bp         brevity penalty
 * @param sysLen     total hypothesis length in tokens
 * @param refLen     total (closest) reference length in tokens
 */
public record BleuResult(double score, int[] counts, int[] totals, double[] precisions, double bp, int sysLen,
                         int refLen) {

    public BleuResult {
        counts = counts.clone();
        totals = totals.clone();
        precisions = precisions.clone();
    }

    @Override
    public int[] counts() {
        return counts.clone();
    }

    @Override
    public int[] totals() {
        return totals.clone();
    }

    @Override
    public double[] precisions() {
        return precisions.clone();
    }

    /** {@code sys_len / ref_len}, or 0 when {@code ref_len == 0}, as sacreBLEU's {@code ratio}. */
    public double ratio() {
        return refLen != 0 ? (double) sysLen / refLen : 0.0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BleuResult b && Double.compare(score, b.score) == 0 && Arrays.equals(counts, b.counts)
                && Arrays.equals(totals, b.totals) && Arrays.equals(precisions, b.precisions)
                && Double.compare(bp, b.bp) == 0 && sysLen == b.sysLen && refLen == b.refLen;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(score);
        h = 31 * h + Arrays.hashCode(counts);
        h = 31 * h + Arrays.hashCode(totals);
        h = 31 * h + Arrays.hashCode(precisions);
        h = 31 * h + Double.hashCode(bp);
        h = 31 * h + sysLen;
        return 31 * h + refLen;
    }

    @Override
    public String toString() {
        return "BleuResult[score=" + score + ", counts=" + Arrays.toString(counts) + ", totals="
                + Arrays.toString(totals) + ", precisions=" + Arrays.toString(precisions) + ", bp=" + bp
                + ", sysLen=" + sysLen + ", refLen=" + refLen + "]";
    }
}
