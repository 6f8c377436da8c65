package dev.qstream.policy.state;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns a state (prompt token ids + generated prefix ids) into the Q-network's input: five feature groups (see
 * {@link EncoderSpec}), each token mapped to a bucket by {@code id mod buckets}, so ids below the bucket count never
 * collide. Values are 1 (sets, not counts), keeping inputs on one scale whatever the prompt length.
 */
public final class StateEncoder {

    /** Bucket "id" of the start marker in the last/previous groups. */
    private static final int START = -1;

    private final EncoderSpec spec;
    private final int lastOffset;
    private final int previousOffset;
    private final int positionOffset;
    private final int generatedOffset;

    public StateEncoder(EncoderSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.lastOffset = spec.promptBuckets();
        this.previousOffset = lastOffset + spec.lastBuckets();
        this.positionOffset = previousOffset + spec.previousBuckets();
        this.generatedOffset = positionOffset + spec.positionBuckets();
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
        for (int id : prompt) {
            scratch[n++] = bucket(id, spec.promptBuckets());
        }
        int last = prefixLength > 0 ? prefix[prefixLength - 1] : START;
        int previous = prefixLength > 1 ? prefix[prefixLength - 2] : START;
        scratch[n++] = lastOffset + tokenOrStart(last, spec.lastBuckets());
        scratch[n++] = previousOffset + tokenOrStart(previous, spec.previousBuckets());
        scratch[n++] = positionOffset + Math.min(prefixLength, spec.positionBuckets() - 1);
        for (int i = 0; i < prefixLength; i++) {
            scratch[n++] = generatedOffset + bucket(prefix[i], spec.generatedBuckets());
        }
        int[] indices = distinct(scratch, n);
        float[] values = new float[indices.length];
        Arrays.fill(values, 1f);
        return new SparseState(indices, values, spec.size());
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
