package dev.qstream.policy.state;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns a state (prompt token ids + generated prefix ids) into the Q-network's input: the feature groups of
 * {@link EncoderSpec}, each token mapped to a bucket by {@code id mod buckets}, so ids below the bucket count never
 * collide. Values are 1 (sets, not counts), keeping inputs on one scale whatever the prompt length.
 *
 * <p>The prompt is its word ids, optionally followed by {@link #COPIES_FOLLOW} and the copy actions the prompt offers
 * ({@link #withCopies}). Those feed the open-copies group: each offered copy action the prefix has not taken yet, so
 * the network sees what is still to be said (a bag of the prompt and a bag of the prefix, in buckets of their own,
 * cannot be subtracted by one layer). Copy actions are contiguous ids, so {@code id mod buckets} gives each its own
 * bucket when the group has one per copy slot.
 */
public final class StateEncoder {

    /** Bucket "id" of the start marker in the last/previous groups. */
    private static final int START = -1;
    /** In a prompt, the id after which the prompt's copy actions follow: padding never occurs in a prompt's words. */
    public static final int COPIES_FOLLOW = 0;

    private final EncoderSpec spec;
    private final int lastOffset;
    private final int previousOffset;
    private final int positionOffset;
    private final int generatedOffset;
    private final int openCopyOffset;

    public StateEncoder(EncoderSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.lastOffset = spec.promptBuckets();
        this.previousOffset = lastOffset + spec.lastBuckets();
        this.positionOffset = previousOffset + spec.previousBuckets();
        this.generatedOffset = positionOffset + spec.positionBuckets();
        this.openCopyOffset = generatedOffset + spec.generatedBuckets();
    }

    /** A prompt as the encoder takes it: its word ids, then (when it offers any) its copy actions. */
    public static int[] withCopies(int[] words, int[] copyActions) {
        if (copyActions.length == 0) {
            return words;
        }
        int[] out = Arrays.copyOf(words, words.length + 1 + copyActions.length);
        out[words.length] = COPIES_FOLLOW;
        System.arraycopy(copyActions, 0, out, words.length + 1, copyActions.length);
        return out;
    }

    public EncoderSpec spec() {
        return spec;
    }

    public int inputSize() {
        return spec.size();
    }

    public SparseState encode(int[] prompt, int[] prefix, int prefixLength) {
        int[] scratch = new int[prompt.length + prefixLength + 3];
        int n = 0;
        int words = 0;
        while (words < prompt.length && prompt[words] != COPIES_FOLLOW) {
            scratch[n++] = bucket(prompt[words++], spec.promptBuckets());
        }
        int last = prefixLength > 0 ? prefix[prefixLength - 1] : START;
        int previous = prefixLength > 1 ? prefix[prefixLength - 2] : START;
        scratch[n++] = lastOffset + tokenOrStart(last, spec.lastBuckets());
        scratch[n++] = previousOffset + tokenOrStart(previous, spec.previousBuckets());
        scratch[n++] = positionOffset + Math.min(prefixLength, spec.positionBuckets() - 1);
        for (int i = 0; i < prefixLength; i++) {
            scratch[n++] = generatedOffset + bucket(prefix[i], spec.generatedBuckets());
        }
        if (spec.openCopyBuckets() > 0) {
            for (int k = words + 1; k < prompt.length; k++) {
                if (!taken(prompt[k], prefix, prefixLength)) {
                    scratch[n++] = openCopyOffset + bucket(prompt[k], spec.openCopyBuckets());
                }
            }
        }
        int[] indices = distinct(scratch, n);
        float[] values = new float[indices.length];
        Arrays.fill(values, 1f);
        return new SparseState(indices, values, spec.size());
    }

    private static boolean taken(int action, int[] prefix, int prefixLength) {
        for (int i = 0; i < prefixLength; i++) {
            if (prefix[i] == action) {
                return true;
            }
        }
        return false;
    }

    public SparseState encode(List<Integer> prompt, List<Integer> prefix) {
        return encode(toArray(prompt), toArray(prefix), prefix.size());
    }

    /** Dense encoding into a row of a batch matrix: {@code out[offset .. offset+inputSize)} is overwritten. */
    public void encodeInto(int[] prompt, int[] prefix, int prefixLength, float[] out, int offset) {
        Arrays.fill(out, offset, offset + spec.size(), 0f);
        encode(prompt, prefix, prefixLength).scatterInto(out, offset);
    }

    private static int bucket(int id, int buckets) {
        return Math.floorMod(id, buckets);
    }

    /** The last bucket is reserved for the start marker; tokens share the others. */
    private static int tokenOrStart(int id, int buckets) {
        return id == START ? buckets - 1 : Math.floorMod(id, buckets - 1);
    }

    private static int[] distinct(int[] values, int n) {
        int[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m == 0 || sorted[m - 1] != sorted[i]) {
                sorted[m++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, m);
    }

    private static int[] toArray(List<Integer> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }
}
