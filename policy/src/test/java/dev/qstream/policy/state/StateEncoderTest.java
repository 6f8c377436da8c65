package dev.qstream.policy.state;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class StateEncoderTest {

    private final EncoderSpec spec = new EncoderSpec(10, 6, 4, 3, 5);
    private final StateEncoder encoder = new StateEncoder(spec);

    @Test
    void emptyPrefixSetsStartMarkersAndPositionZero() {
        float[] x = encoder.encode(new int[]{3, 4, 3}, new int[0], 0).toDense();
        assertThat(x).hasSize(28);
        // prompt bag: ids 3 and 4 (3 appears twice but it is a set)
        assertThat(x[3]).isEqualTo(1f);
        assertThat(x[4]).isEqualTo(1f);
        // last and previous: the start bucket is the last of each group
        assertThat(x[10 + 5]).isEqualTo(1f);
        assertThat(x[16 + 3]).isEqualTo(1f);
        // position 0
        assertThat(x[20]).isEqualTo(1f);
        assertThat(sum(x)).isEqualTo(5f);
    }

    @Test
    void prefixSetsLastPreviousPositionAndGeneratedBag() {
        float[] x = encoder.encode(new int[]{3}, new int[]{7, 8, 9, 1}, 3).toDense();
        assertThat(x[10 + 9 % 5]).isEqualTo(1f);          // last = 9 (prefix length 3 ignores the 4th id)
        assertThat(x[16 + 8 % 3]).isEqualTo(1f);          // previous = 8
        assertThat(x[20 + 2]).isEqualTo(1f);              // position 3 clipped to the last bucket (2)
        assertThat(x[23 + 7 % 5] + x[23 + 8 % 5] + x[23 + 9 % 5]).isEqualTo(3f);
    }

    @Test
    void denseAndSparseAgree() {
        float[] row = new float[40];
        Arrays.fill(row, 9f);
        encoder.encodeInto(new int[]{1, 2}, new int[]{5}, 1, row, 6);
        assertThat(row[5]).isEqualTo(9f);
        float[] expected = encoder.encode(new int[]{1, 2}, new int[]{5}, 1).toDense();
        for (int i = 0; i < expected.length; i++) {
            assertThat(row[6 + i]).isEqualTo(expected[i]);
        }
    }

    @Test
    void theOpenCopiesGroupHoldsTheOfferedCopyActionsThePrefixHasNotTakenAndThePromptBagOnlyTheWords() {
        // Copy actions 40..43 are contiguous: mod 4 gives each its own bucket.
        StateEncoder withCopies = new StateEncoder(new EncoderSpec(10, 6, 4, 3, 5, 4));
        int[] prompt = StateEncoder.withCopies(new int[]{3, 4}, new int[]{41, 43});
        assertThat(prompt).containsExactly(3, 4, StateEncoder.COPIES_FOLLOW, 41, 43);
        int open = 28;

        float[] start = withCopies.encode(prompt, new int[0], 0).toDense();
        assertThat(start).hasSize(32);
        assertThat(Arrays.copyOfRange(start, 0, 10)).as("the prompt bag: its words only")
                .containsExactly(0, 0, 0, 1, 1, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(start, open, 32)).containsExactly(0, 1, 0, 1);

        float[] afterOne = withCopies.encode(prompt, new int[]{9, 41}, 2).toDense();
        assertThat(Arrays.copyOfRange(afterOne, open, 32)).as("41 said, 43 still open").containsExactly(0, 0, 0, 1);

        // A spec without the group ignores the copies: the same input as a prompt of words alone.
        assertThat(encoder.encode(prompt, new int[]{9}, 1).toDense()).isEqualTo(encoder.encode(new int[]{3, 4}, new int[]{9}, 1).toDense());
        assertThat(StateEncoder.withCopies(new int[]{3, 4}, new int[0])).containsExactly(3, 4);
    }

    private static float sum(float[] x) {
        float s = 0;
        for (float v : x) {
            s += v;
        }
        return s;
    }
}
