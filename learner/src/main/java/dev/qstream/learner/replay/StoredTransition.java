package dev.qstream.learner.replay;

/**
 * A transition as replay keeps it: token ids, not dense vectors (a few hundred bytes instead of kilobytes), so a
 * million fit in well under a gigabyte. The next state is the prompt plus prefix plus action, so it is not stored.
 *
 * @param prompt   prompt token ids (shared between the steps of an episode)
 * @param prefix   generated token ids before the action
 * @param nextMask valid actions of the next state; null = every action
 */
public record StoredTransition(long episodeHi, long episodeLo, int step, short[] prompt, short[] prefix, int action,
                               float reward, boolean done, short[] nextMask) {

    public int[] promptIds() {
        return widen(prompt);
    }

    /** Prefix of the next state: this prefix plus the action. */
    public int[] nextPrefixIds() {
        int[] out = new int[prefix.length + 1];
        for (int i = 0; i < prefix.length; i++) {
            out[i] = prefix[i];
        }
        out[prefix.length] = action;
        return out;
    }

    public int[] nextMaskIds() {
        return nextMask == null ? null : widen(nextMask);
    }

    static int[] widen(short[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** Narrows token ids to shorts; ids must be below 32,768 (vocabularies hold at most 10,003). */
    public static short[] narrow(java.util.List<Integer> ids) {
        short[] out = new short[ids.size()];
        for (int i = 0; i < out.length; i++) {
            int id = ids.get(i);
            if (id < 0 || id > Short.MAX_VALUE) {
                throw new IllegalArgumentException("token id " + id + " does not fit replay's compact storage");
            }
            out[i] = (short) id;
        }
        return out;
    }
}
