package dev.qstream.actor.decode;

import dev.qstream.policy.text.Vocabulary;

import java.util.Arrays;

/**
 * Which tokens may be chosen next.
 * <ul>
 *   <li>{@link Mode#PROMPT_AND_COMMON}: the prompt's own tokens, the most frequent words of the vocabulary (ids right
 *   after the special tokens, since ids are by frequency) and end-of-sequence. Small masks: fast steps,
 *   copy-friendly.</li>
 *   <li>{@link Mode#TOP_K}: the k tokens with the highest Q-values (plus end-of-sequence), chosen by the decoder.</li>
 *   <li>{@link Mode#ALL}: every word.</li>
 * </ul>
 * In every mode the repetition guard forbids the last token (no "the the") and any token that would repeat a bigram
 * already generated; end-of-sequence is always valid, so the mask is never empty. The explicit mask (or the top-k
 * set) is recorded on the transition so the learner's target uses the same one; in ALL mode the recorded mask is
 * "every token" (the guard's few exclusions are not recorded, to keep transitions small).
 */
public final class ActionMasker {

    public enum Mode {
        /** Prompt tokens + common words + end-of-sequence. */
        PROMPT_AND_COMMON,
        /** The top-k actions by Q (plus end-of-sequence). */
        TOP_K,
        /** Every token of the vocabulary (except padding and unknown). */
        ALL
    }

    /**
     * A mask: explicit sorted {@code actions}, or (actions == null) every token but {@code excluded}, optionally cut
     * to the {@code topK} best by Q.
     */
    public record Mask(int[] actions, int[] excluded, int topK) {
        public boolean explicit() {
            return actions != null;
        }
    }

    private final Mode mode;
    private final int vocabularySize;
    private final int[] common;
    private final int topK;

    public ActionMasker(Mode mode, Vocabulary vocabulary, int commonWords) {
        this(mode, vocabulary, commonWords, 64);
    }

    public ActionMasker(Mode mode, Vocabulary vocabulary, int commonWords, int topK) {
        this.mode = mode;
        this.vocabularySize = vocabulary.size();
        int n = Math.max(0, Math.min(commonWords, vocabularySize - Vocabulary.SPECIAL_TOKENS));
        this.common = new int[n];
        for (int i = 0; i < n; i++) {
            common[i] = Vocabulary.SPECIAL_TOKENS + i;
        }
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be >= 1");
        }
        this.topK = topK;
    }

    public Mode mode() {
        return mode;
    }

    public Mask mask(int[] prompt, int[] prefix, int prefixLength) {
        if (mode != Mode.PROMPT_AND_COMMON) {
            return new Mask(null, guardExclusions(prefix, prefixLength), mode == Mode.TOP_K ? topK : 0);
        }
        int[] candidates = new int[prompt.length + common.length + 1];
        int n = 0;
        candidates[n++] = Vocabulary.EOS_ID;
        for (int id : prompt) {
            if (id >= Vocabulary.SPECIAL_TOKENS && id < vocabularySize) {
                candidates[n++] = id;
            }
        }
        for (int id : common) {
            candidates[n++] = id;
        }
        Arrays.sort(candidates, 0, n);
        int m = 0;
        for (int i = 0; i < n; i++) {
            int a = candidates[i];
            if ((m > 0 && candidates[m - 1] == a) || !allowed(prefix, prefixLength, a)) {
                continue;
            }
            candidates[m++] = a;
        }
        return new Mask(Arrays.copyOf(candidates, m), null, 0);
    }

    /** Sorted valid actions in PROMPT_AND_COMMON mode (kept for callers that need only the explicit list). */
    public int[] validActions(int[] prompt, int[] prefix, int prefixLength) {
        Mask mask = mask(prompt, prefix, prefixLength);
        if (!mask.explicit()) {
            throw new IllegalStateException(mode + " masks are chosen by the decoder");
        }
        return mask.actions();
    }

    /** Whether the repetition guard lets {@code next} follow the prefix. */
    public static boolean allowed(int[] prefix, int length, int next) {
        if (next == Vocabulary.EOS_ID || length == 0) {
            return true;
        }
        int last = prefix[length - 1];
        if (next == last) {
            return false;
        }
        for (int i = 0; i + 1 < length; i++) {
            if (prefix[i] == last && prefix[i + 1] == next) {
                return false;
            }
        }
        return true;
    }

    /** Tokens the guard forbids after this prefix (for the modes without an explicit list). */
    private static int[] guardExclusions(int[] prefix, int length) {
        if (length == 0) {
            return new int[0];
        }
        int last = prefix[length - 1];
        int[] out = new int[length];
        int n = 0;
        out[n++] = last;
        for (int i = 0; i + 1 < length; i++) {
            if (prefix[i] == last) {
                out[n++] = prefix[i + 1];
            }
        }
        int[] sorted = Arrays.copyOf(out, n);
        Arrays.sort(sorted);
        return sorted;
    }
}
