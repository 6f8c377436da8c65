package dev.qstream.learner.replay;

/** What replay does with a transition whose policy lag is past the bound ({@link StalenessBound}). */
public enum StaleTransitions {
    /** Removed from replay (never sampled again): it can only grow staler, as model versions only increase. */
    DROP,
    /** Kept and sampled as before, its importance-sampling weight multiplied by {@link StalenessBound#weightFactor}. */
    DOWNWEIGHT
}
