package dev.qstream.learner.dqn;

import java.util.Arrays;

/**
 * One minibatch, preallocated and reused: states and next states as their non-zero inputs ({@link SparseRows}, the
 * form the encoder produces and the update's first layer reads), the taken actions,
 * the (n-step) returns, the bootstrap discount (γⁿ, or 0 when the episode ended within n steps), the next-state
 * action masks (null entry = every action valid) and importance-sampling weights.
 */
public final class Batch {
    public final int size;
    public final int inputs;
    public final SparseRows states;
    public final SparseRows nextStates;
    public final int[] actions;
    public final float[] returns;
    public final float[] discounts;
    public final int[][] nextMasks;
    /** Valid actions of each state s (null = every action); the dueling head averages A over them. */
    public final int[][] masks;
    /** Rows teacher-forced from a reference: the update adds the large-margin loss on them. */
    public final boolean[] demonstrations;
    public final float[] weights;
    /** Replay slots the rows came from (for priority updates). */
    public final int[] slots;
    /** Generation of each slot when sampled: a priority update is dropped if the slot was overwritten since. */
    public final long[] generations;
    /** Policy lag of each row when sampled, in model versions (0 for demonstrations); the update does not read it. */
    public final long[] policyLags;

    public Batch(int size, int inputs) {
        this.size = size;
        this.inputs = inputs;
        this.states = new SparseRows(size, inputs);
        this.nextStates = new SparseRows(size, inputs);
        this.actions = new int[size];
        this.returns = new float[size];
        this.discounts = new float[size];
        this.nextMasks = new int[size][];
        this.masks = new int[size][];
        this.demonstrations = new boolean[size];
        this.weights = new float[size];
        this.slots = new int[size];
        this.generations = new long[size];
        this.policyLags = new long[size];
        Arrays.fill(weights, 1f);
    }
}
