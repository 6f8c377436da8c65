package dev.qstream.actor.generation;

import dev.qstream.policy.text.Vocabulary;

import java.util.Arrays;

/**
 * Which tokens may be chosen next. In {@link Mode#PROMPT_AND_COMMON} mode: the prompt's own tokens, the most
 * frequent words of the vocabulary (ids right after the special tokens, since ids are by frequency) and
 * end-of-sequence; in {@link Mode#ALL} mode every word. Either way the repetition guard removes the last token
 * (no "the the") and any token that would repeat a bigram already generated. End-of-sequence is always valid, so
 * the mask is never empty. The mask is recorded on the transition so the learner's target uses the same one.
 */
public final class ActionMasker {

    public enum Mode {
        /** Prompt tokens + common words + end-of-sequence: small masks, fast steps, copy-friendly. */
        PROMPT_AND_COMMON,
        /** Every token of the vocabulary (except padding and unknown). */
        ALL
    }

    private final Mode mode;
    private final int vocabularySize;
    private final int[] common;

    public ActionMasker(Mode mode, Vocabulary vocabulary, int commonWords) {
        this.mode = mode;
        this.vocabularySize = vocabulary.size();
        int n = Math.max(0, Math.min(commonWords, vocabularySize - Vocabulary.SPECIAL_TOKENS));
        this.common = new int[n];
        for (int i = 0; i < n; i++) {
            common[i] = Vocabulary.SPECIAL_TOKENS + i;
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Sorted, distinct valid action ids for the state (prompt, prefix[0..prefixLength)). */
    public int[] validActions(int[] prompt, int[] prefix, int prefixLength) {
        int[] candidates;
        int n = 0;
        if (mode == Mode.ALL) {
            candidates = new int[vocabularySize];
            candidates[n++] = Vocabulary.EOS_ID;
            for (int id = Vocabulary.SPECIAL_TOKENS; id < vocabularySize; id++) {
                candidates[n++] = id;
            }
        } else {
            candidates = new int[prompt.length + common.length + 1];
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
            n = dedupe(candidates, n);
        }
        int m = 0;
        int last = prefixLength > 0 ? prefix[prefixLength - 1] : -1;
        for (int i = 0; i < n; i++) {
            int a = candidates[i];
            if (a != Vocabulary.EOS_ID && (a == last || repeatsBigram(prefix, prefixLength, last, a))) {
                continue;
            }
            candidates[m++] = a;
        }
        return Arrays.copyOf(candidates, m);
    }

    private static boolean repeatsBigram(int[] prefix, int length, int last, int next) {
        if (last < 0) {
            return false;
        }
        for (int i = 0; i + 1 < length; i++) {
            if (prefix[i] == last && prefix[i + 1] == next) {
                return true;
            }
        }
        return false;
    }

    private static int dedupe(int[] sorted, int n) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m == 0 || sorted[m - 1] != sorted[i]) {
                sorted[m++] = sorted[i];
            }
        }
        return m;
    }
}
