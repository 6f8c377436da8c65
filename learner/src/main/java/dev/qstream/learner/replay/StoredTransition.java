package dev.qstream.learner.replay;

import java.util.List;

/**
 * A transition as replay keeps it: token ids, not dense vectors (a few hundred bytes instead of kilobytes), so a
 * million fit in well under a gigabyte. With n-step returns the reward is the discounted sum of up to n rewards,
 * the bootstrap state is s_{t+n} = prompt + prefix + {@code bootstrapActions}, and {@code discount} is γⁿ, or 0 when
 * the episode ended within the n steps. Immutable: a reward correction replaces the object.
 *
 * @param episodeHi        high bits of the episode UUID
 * @param episodeLo        low bits of the episode UUID
 * @param step             step index t
 * @param prompt           prompt token ids (shared by the steps of an episode)
 * @param prefix           token ids generated before step t
 * @param action           a_t
 * @param reward           n-step return R_t
 * @param discount         γ^n, or 0 when the episode ended within the n steps
 * @param bootstrapActions a_t … a_{t+n−1}, which extend the prefix to the bootstrap state's prefix
 * @param mask             valid actions of s_t (the dueling head averages over them); null = every action
 * @param nextMask         valid actions of the bootstrap state; null = every action
 * @param lastStep         index of the episode's last step (for reward corrections); -1 when unknown
 * @param sourcePartition  partition of qstream.scored the step came from (-1 when not from Kafka)
 * @param sourceOffset     its offset there; checkpoints keep exactly the transitions below their positions
 * @param demonstration    the step was teacher-forced from a reference, not chosen by a policy (learning from
 *                         demonstrations: the update adds a large-margin loss that makes its action the greedy one)
 * @param policyVersion    model version of the behaviour policy (the transitions' {@code policyVersion}; the oldest
 *                         among the steps the return sums), for policy lag ({@link PolicyLag}); 0 for demonstrations.
 *                         An int, not the schema's long: it fits in the object's alignment padding, so replay stays
 *                         as compact as before, and 2³¹ versions outlast any deployment ({@link #narrowVersion})
 */
public record StoredTransition(long episodeHi, long episodeLo, int step, short[] prompt, short[] prefix, int action,
                               float reward, float discount, short[] bootstrapActions, short[] mask, short[] nextMask, int lastStep,
                               int sourcePartition, long sourceOffset, boolean demonstration, int policyVersion) {

    /** A step the untrained policy (version 0) chose, for tests and benchmarks that do not care about versions. */
    public StoredTransition(long episodeHi, long episodeLo, int step, short[] prompt, short[] prefix, int action,
                            float reward, float discount, short[] bootstrapActions, short[] mask, short[] nextMask,
                            int lastStep, int sourcePartition, long sourceOffset) {
        this(episodeHi, episodeLo, step, prompt, prefix, action, reward, discount, bootstrapActions, mask, nextMask,
                lastStep, sourcePartition, sourceOffset, false, 0);
    }

    public int[] promptIds() {
        return widen(prompt);
    }

    public int[] prefixIds() {
        return widen(prefix);
    }

    /** Prefix of the bootstrap state: this prefix plus the bootstrap actions. */
    public int[] bootstrapPrefixIds() {
        int[] out = new int[prefix.length + bootstrapActions.length];
        for (int i = 0; i < prefix.length; i++) {
            out[i] = prefix[i];
        }
        for (int i = 0; i < bootstrapActions.length; i++) {
            out[prefix.length + i] = bootstrapActions[i];
        }
        return out;
    }

    public int[] maskIds() {
        return mask == null ? null : widen(mask);
    }

    public int[] nextMaskIds() {
        return nextMask == null ? null : widen(nextMask);
    }

    public boolean sameEpisode(long hi, long lo) {
        return episodeHi == hi && episodeLo == lo;
    }

    public StoredTransition withReward(float newReward) {
        return new StoredTransition(episodeHi, episodeLo, step, prompt, prefix, action, newReward, discount,
                bootstrapActions, mask, nextMask, lastStep, sourcePartition, sourceOffset, demonstration, policyVersion);
    }

    /** The same transition chosen by model version {@code version}. */
    public StoredTransition withPolicyVersion(int version) {
        return new StoredTransition(episodeHi, episodeLo, step, prompt, prefix, action, reward, discount,
                bootstrapActions, mask, nextMask, lastStep, sourcePartition, sourceOffset, demonstration, version);
    }

    /** A model version as replay stores it: versions are never negative, and saturate at the int range. */
    public static int narrowVersion(long version) {
        return (int) Math.max(0, Math.min(version, Integer.MAX_VALUE));
    }

    static int[] widen(short[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** Narrows token ids to shorts; ids must be below 32,768 (vocabularies hold at most 10,003). */
    public static short[] narrow(List<Integer> ids) {
        short[] out = new short[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = narrow(ids.get(i));
        }
        return out;
    }

    public static short narrow(int id) {
        if (id < 0 || id > Short.MAX_VALUE) {
            throw new IllegalArgumentException("token id " + id + " does not fit replay's compact storage");
        }
        return (short) id;
    }

    /**
     * Approximate heap bytes of this object and its arrays (the prompt is left to the caller: it is shared per
     * episode). The object itself is 88 bytes with compressed references and class pointers (12 of header, 73 of
     * fields, padded to 8; the version took 4 bytes of what was padding) and 96 without compressed class pointers.
     */
    public long approximateBytes() {
        return 96 + arrayBytes(prefix) + arrayBytes(bootstrapActions) + (mask == null ? 0 : arrayBytes(mask))
                + (nextMask == null ? 0 : arrayBytes(nextMask));
    }

    private static long arrayBytes(short[] a) {
        return 16 + 2L * a.length;
    }
}
