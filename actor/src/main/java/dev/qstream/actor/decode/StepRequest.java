package dev.qstream.actor.decode;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.Exploration;

import java.util.SplittableRandom;

/**
 * One decision to make: the state (prompt + prefix), the mask, and how to explore.
 *
 * @param prefixLength tokens of {@code prefix} that are generated so far
 */
public record StepRequest(int[] prompt, int[] prefix, int prefixLength, ActionMasker.Mask mask, Exploration exploration,
                          SplittableRandom random) {
}
