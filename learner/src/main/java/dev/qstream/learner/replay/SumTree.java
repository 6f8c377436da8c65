package dev.qstream.learner.replay;

/**
 * A sum tree over slot priorities: set one priority and read the total in O(log n), and find the slot where a
 * prefix sum falls, which is how proportional prioritized replay samples with probability p_i / Σp.
 */
public final class SumTree {

    private final int capacity;
    private final int leaves;
    private final double[] tree;

    public SumTree(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        int l = 1;
        while (l < capacity) {
            l <<= 1;
        }
        this.leaves = l;
        this.tree = new double[2 * l];
    }

    public int capacity() {
        return capacity;
    }

    public void set(int slot, double priority) {
        if (slot < 0 || slot >= capacity) {
            throw new IndexOutOfBoundsException("slot " + slot);
        }
        if (!(priority >= 0) || Double.isInfinite(priority)) {
            throw new IllegalArgumentException("priority must be a finite number >= 0, got " + priority);
        }
        int i = slot + leaves;
        double delta = priority - tree[i];
        while (i >= 1) {
            tree[i] += delta;
            i >>= 1;
        }
    }

    public double get(int slot) {
        return tree[slot + leaves];
    }

    public double total() {
        return tree[1];
    }

    /** The slot whose cumulative range contains {@code prefix} (0 ≤ prefix < total). */
    public int find(double prefix) {
        int i = 1;
        double remaining = prefix;
        while (i < leaves) {
            int left = 2 * i;
            if (remaining < tree[left] || tree[left + 1] == 0) {
                i = left;
            } else {
                remaining -= tree[left];
                i = left + 1;
            }
        }
        return Math.min(i - leaves, capacity - 1);
    }
}
