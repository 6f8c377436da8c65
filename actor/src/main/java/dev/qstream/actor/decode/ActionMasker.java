package dev.qstream.actor.decode;

import dev.qstream.policy.text.PromptCopies;
import dev.qstream.policy.text.Vocabulary;

import java.util.Arrays;

/**
 * Which tokens may be chosen next.
 * <ul>
 *   <li>{@link Mode#PROMPT_AND_COMMON}: the prompt's own words, its copy actions (which emit prompt words the
 *   vocabulary may not know, see {@link PromptCopies}), the most frequent words of the vocabulary (ids right after the
 *   special tokens, since ids are by frequency) and end-of-sequence. Small masks: fast steps, copy-friendly.</li>
 *   <li>{@link Mode#TOP_K}: the k tokens with the highest Q-values (plus end-of-sequence), chosen by the decoder.</li>
 *   <li>{@link Mode#ALL}: every word.</li>
 * </ul>
 * In every mode the repetition guard forbids the last word again (no "the the", whether a copy action or a
 * vocabulary action says it), any action that would repeat an action bigram already taken, and a copy action whose
 * prompt positions have all been said (a prompt position is copied once). Bigrams compare actions, not words: real
 * text repeats word bigrams ("5 out of 5" after "rating of"), and a word bigram guard measurably hurt on E2E;
 * end-of-sequence is always valid, so the mask is never empty; copy actions the prompt does not offer are never
 * valid. The explicit mask (or the top-k
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
    private final int firstCopy;
    private final int[] common;
    private final int topK;

    public ActionMasker(Mode mode, Vocabulary vocabulary, int commonWords) {
        this(mode, vocabulary, commonWords, 64);
    }

    public ActionMasker(Mode mode, Vocabulary vocabulary, int commonWords, int topK) {
        this.mode = mode;
        this.vocabularySize = vocabulary.size();
        this.firstCopy = vocabularySize - vocabulary.copySlots();
        int n = Math.max(0, Math.min(commonWords, firstCopy - Vocabulary.SPECIAL_TOKENS));
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

    /** The valid actions after {@code prefix} for a prompt that offers no copy actions (its words are its actions). */
    public Mask mask(int[] prompt, int[] prefix, int prefixLength) {
        return mask(prompt, new int[0], new int[0], prefix, prefix, prefixLength);
    }

    /**
     * The valid actions after a prefix that said {@code said}.
     *
     * @param prompt      the prompt's token ids
     * @param copyActions the copy actions the prompt offers ({@link PromptCopies#actions()})
     * @param copyWords   the word each of them would say now ({@link PromptCopies#nextWordIds}, {@link
     *                    PromptCopies#SAID} for one whose positions have all been said)
     * @param prefix      the actions taken so far
     * @param said        the word ids ({@link PromptCopies#wordId}) of what they said, one per step
     */
    public Mask mask(int[] prompt, int[] copyActions, int[] copyWords, int[] prefix, int[] said, int prefixLength) {
        if (copyWords.length != copyActions.length) {
            throw new IllegalArgumentException("one word per copy action: " + copyWords.length + " vs " + copyActions.length);
        }
        if (mode != Mode.PROMPT_AND_COMMON) {
            return new Mask(null, exclusions(prefix, said, prefixLength, copyActions, copyWords), mode == Mode.TOP_K ? topK : 0);
        }
        int[] candidates = new int[prompt.length + copyActions.length + common.length + 1];
        int n = 0;
        candidates[n++] = Vocabulary.EOS_ID;
        for (int id : prompt) {
            if (id >= Vocabulary.SPECIAL_TOKENS && id < firstCopy) {
                candidates[n++] = id;
            }
        }
        for (int id : copyActions) {
            candidates[n++] = id;
        }
        for (int id : common) {
            candidates[n++] = id;
        }
        Arrays.sort(candidates, 0, n);
        int m = 0;
        for (int i = 0; i < n; i++) {
            int a = candidates[i];
            if ((m > 0 && candidates[m - 1] == a) || !allowed(prefix, said, prefixLength, a, wordOf(a, copyActions, copyWords))) {
                continue;
            }
            candidates[m++] = a;
        }
        return new Mask(Arrays.copyOf(candidates, m), null, 0);
    }

    /** The word an action says: its own id for a vocabulary action, the copy's next word for a copy action. */
    private int wordOf(int action, int[] copyActions, int[] copyWords) {
        if (action < firstCopy) {
            return action;
        }
        int k = Arrays.binarySearch(copyActions, action);
        return k >= 0 ? copyWords[k] : PromptCopies.SAID;
    }

    /**
     * Whether the repetition guard lets {@code action}, which says {@code word}, follow a prefix: not the last word
     * again, no action bigram taken before, and not a copy whose positions have all been said.
     */
    public static boolean allowed(int[] prefix, int[] said, int length, int action, int word) {
        if (action == Vocabulary.EOS_ID) {
            return true;
        }
        if (word == PromptCopies.SAID) {
            return false;
        }
        if (length == 0) {
            return true;
        }
        if (word == said[length - 1]) {
            return false;
        }
        int last = prefix[length - 1];
        for (int i = 0; i + 1 < length; i++) {
            if (prefix[i] == last && prefix[i + 1] == action) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tokens excluded in the modes without an explicit list: the vocabulary words the guard forbids after this prefix,
     * the copy actions it forbids, and the copy actions this prompt does not offer.
     */
    private int[] exclusions(int[] prefix, int[] said, int length, int[] offeredCopies, int[] copyWords) {
        int[] out = new int[length + 1 + (vocabularySize - firstCopy)];
        int n = 0;
        if (length > 0) {
            n = addIfWord(out, n, said[length - 1]);
            int last = prefix[length - 1];
            for (int i = 0; i + 1 < length; i++) {
                if (prefix[i] == last && prefix[i + 1] != Vocabulary.EOS_ID) {
                    out[n++] = prefix[i + 1];
                }
            }
        }
        for (int a = firstCopy; a < vocabularySize; a++) {
            int k = Arrays.binarySearch(offeredCopies, a);
            if (k < 0 || !allowed(prefix, said, length, a, copyWords[k])) {
                out[n++] = a;
            }
        }
        return Arrays.stream(out, 0, n).distinct().sorted().toArray();
    }

    /** Adds the vocabulary action that says {@code word}, when it is a vocabulary word (end-of-sequence never is). */
    private int addIfWord(int[] out, int n, int word) {
        if (word >= Vocabulary.SPECIAL_TOKENS && word < firstCopy) {
            out[n++] = word;
        }
        return n;
    }
}
