package dev.qstream.learner.dqn;

import dev.qstream.policy.state.SparseState;

import java.util.Arrays;

/**
 * A batch's states as their non-zero inputs, row after row (compressed sparse rows): row i's inputs are
 * {@code indices[start[i] .. start[i+1])} with values {@code values[...]} at the same positions. An encoded state has
 * a few dozen active inputs out of several hundred, so the update's first layer sums that many rows of W1 instead of
 * multiplying by a dense row (see {@link HiddenLayer}). Rows are appended in order after a {@link #clear()}; the
 * arrays are reused from batch to batch and grow only when a batch holds more non-zeros than any before it.
 */
public final class SparseRows {

    private final int capacity;
    private final int width;
    final int[] start;
    int[] indices;
    float[] values;
    private int rows;
    private boolean ascending = true;

    /** Room for {@code capacity} rows of {@code width} inputs each. */
    public SparseRows(int capacity, int width) {
        this.capacity = capacity;
        this.width = width;
        this.start = new int[capacity + 1];
        // Encoded states hold a few dozen non-zeros; a first batch with more grows the arrays once.
        int initial = capacity * Math.min(width, 64);
        this.indices = new int[initial];
        this.values = new float[initial];
    }

    /** Rows appended since the last {@link #clear()}. */
    public int rows() {
        return rows;
    }

    public int width() {
        return width;
    }

    /** Non-zeros over the rows held. */
    public int nonZeros() {
        return start[rows];
    }

    public void clear() {
        rows = 0;
        ascending = true;
    }

    /** Whether every row lists its inputs in ascending order (the encoder's do), which lets rows be merged. */
    boolean rowsAscending() {
        return ascending;
    }

    /** Appends a state as the next row. */
    public void add(SparseState state) {
        add(state.indices(), state.values(), state.indices().length);
    }

    /** Appends the next row: inputs {@code indices[0..n)} (distinct, below the width) with their values. */
    public void add(int[] rowIndices, float[] rowValues, int n) {
        if (rows == capacity) {
            throw new IllegalStateException("all " + capacity + " rows are already filled");
        }
        int at = start[rows];
        ensureRoom(at + n);
        for (int k = 0; k < n; k++) {
            if (rowIndices[k] < 0 || rowIndices[k] >= width) {
                throw new IllegalArgumentException("input " + rowIndices[k] + " outside 0.." + (width - 1));
            }
            if (k > 0 && rowIndices[k] <= rowIndices[k - 1]) {
                ascending = false;
            }
        }
        System.arraycopy(rowIndices, 0, indices, at, n);
        System.arraycopy(rowValues, 0, values, at, n);
        start[++rows] = at + n;
    }

    /** Appends the non-zeros of the dense row {@code dense[offset .. offset+width)}. */
    public void addDense(float[] dense, int offset) {
        int n = 0;
        for (int j = 0; j < width; j++) {
            if (dense[offset + j] != 0f) {
                n++;
            }
        }
        int[] idx = new int[n];
        float[] val = new float[n];
        for (int j = 0, k = 0; j < width; j++) {
            if (dense[offset + j] != 0f) {
                idx[k] = j;
                val[k++] = dense[offset + j];
            }
        }
        add(idx, val, n);
    }

    /** Replaces the rows with those of a dense row-major matrix ({@code dense.length / width} rows). */
    public void setDense(float[] dense) {
        clear();
        for (int offset = 0; offset < dense.length; offset += width) {
            addDense(dense, offset);
        }
    }

    /** The rows as a dense row-major matrix (rows × width). */
    public float[] toDense() {
        float[] out = new float[rows * width];
        scatterInto(out);
        return out;
    }

    /** Writes the rows densely into {@code out}, whose first rows × width entries must be zero. */
    void scatterInto(float[] out) {
        for (int i = 0; i < rows; i++) {
            for (int k = start[i]; k < start[i + 1]; k++) {
                out[i * width + indices[k]] = values[k];
            }
        }
    }

    private void ensureRoom(int n) {
        if (n > indices.length) {
            int grown = Math.max(n, indices.length + indices.length / 2);
            indices = Arrays.copyOf(indices, grown);
            values = Arrays.copyOf(values, grown);
        }
    }
}
