package dev.qstream.policy.state;

/**
 * An encoded state as its non-zero inputs: {@code indices[i]} has value {@code values[i]} (indices distinct).
 * States are sparse (a few dozen of several hundred inputs), which is what makes the actor's first layer cheap.
 */
public record SparseState(int[] indices, float[] values, int size) {

    public SparseState {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices and values differ in length");
        }
    }

    /** Writes the dense form into {@code out[offset .. offset+size)} (which must be zeroed by the caller). */
    public void scatterInto(float[] out, int offset) {
        for (int i = 0; i < indices.length; i++) {
            out[offset + indices[i]] = values[i];
        }
    }

    public float[] toDense() {
        float[] dense = new float[size];
        scatterInto(dense, 0);
        return dense;
    }
}
