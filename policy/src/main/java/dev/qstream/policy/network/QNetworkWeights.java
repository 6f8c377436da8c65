package dev.qstream.policy.network;

import java.util.Objects;

/**
 * The parameters of a Q-network as flat float arrays, in the layout the fast paths want:
 * {@code w1[i * hidden + j]} (input-major, so a sparse state sums rows), {@code b1[j]},
 * {@code w2[a * hidden + j]} (action-major, so the Q-values of a few valid actions are a few contiguous dot
 * products), {@code b2[a]}. Immutable once published: whoever holds one may read it from any thread.
 */
public record QNetworkWeights(QNetworkSpec spec, float[] w1, float[] b1, float[] w2, float[] b2) {

    public QNetworkWeights {
        Objects.requireNonNull(spec, "spec");
        check("w1", w1, (long) spec.inputs() * spec.hidden());
        check("b1", b1, spec.hidden());
        check("w2", w2, (long) spec.actions() * spec.hidden());
        check("b2", b2, spec.actions());
    }

    private static void check(String name, float[] array, long expected) {
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(name + " has " + (array == null ? "no" : array.length)
                    + " values, the spec needs " + expected);
        }
    }

    /** Index of the first non-finite parameter, or -1 when all are finite. */
    public long firstNonFinite() {
        long offset = 0;
        for (float[] a : new float[][]{w1, b1, w2, b2}) {
            for (int i = 0; i < a.length; i++) {
                if (!Float.isFinite(a[i])) {
                    return offset + i;
                }
            }
            offset += a.length;
        }
        return -1;
    }
}
