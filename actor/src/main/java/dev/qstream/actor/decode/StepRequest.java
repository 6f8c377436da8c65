package dev.qstream.actor.decode;

import dev.qstream.actor.model.ServingPolicy;

import java.util.SplittableRandom;

/**
 * One decision to make: the state (prompt + prefix), the mask, and how to explore.
 *
 * @param prefixLength tokens of {@code prefix} that are generated so far
 * @param policy       the version pinned for the episode (all its steps use it); null = whatever the decoder serves now
 */
public record StepRequest(int[] prompt, int[] prefix, int prefixLength, ActionMasker.Mask mask, Exploration exploration,
                          SplittableRandom random, ServingPolicy policy) {

    /** A step decided with whatever version the decoder serves at that moment (benchmarks, single steps). */
    public StepRequest(int[] prompt, int[] prefix, int prefixLength, ActionMasker.Mask mask, Exploration exploration,
                       SplittableRandom random) {
        this(prompt, prefix, prefixLength, mask, exploration, random, null);
    }
}
