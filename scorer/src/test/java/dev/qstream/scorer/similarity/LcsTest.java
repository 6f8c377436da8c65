package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bit-parallel LCS length against the textbook DP, and the backtrack against upstream's examples. */
class LcsTest {

    @Test
    void bitParallelLengthEqualsDynamicProgramming() {
        Random rnd = new Random(5);
        int[] sizes = {0, 1, 2, 5, 31, 63, 64, 65, 127, 128, 129, 200, 700};
        for (int trial = 0; trial < 3000; trial++) {
            int aLen = sizes[rnd.nextInt(sizes.length)];
            int bLen = trial % 3 == 0 ? sizes[rnd.nextInt(sizes.length)] : rnd.nextInt(300);
            int alphabet = 1 + rnd.nextInt(trial % 2 == 0 ? 4 : 60);
            int[] a = new int[aLen];
            int[] b = new int[bLen];
            for (int i = 0; i < aLen; i++) {
                a[i] = rnd.nextInt(alphabet);
            }
            for (int i = 0; i < bLen; i++) {
                b[i] = rnd.nextInt(alphabet);
            }
            assertThat(Lcs.length(a, aLen, b, bLen, alphabet))
                    .as("trial %d (%d x %d, alphabet %d)", trial, aLen, bLen, alphabet)
                    .isEqualTo(Lcs.lengthDp(a, aLen, b, bLen));
        }
    }

    @Test
    void knownLengths() {
        assertThat(Lcs.length(new int[] {0, 1}, 2, new int[] {1, 0}, 2, 2)).isEqualTo(1);
        assertThat(Lcs.length(new int[] {0, 1, 2, 3}, 4, new int[] {0, 2, 3}, 3, 4)).isEqualTo(3);
        assertThat(Lcs.length(new int[] {}, 0, new int[] {1}, 1, 2)).isZero();
        // 64 identical tokens on each side: exactly one full mask word
        int[] x = new int[64];
        assertThat(Lcs.length(x, 64, x, 64, 1)).isEqualTo(64);
    }

    private static List<Integer> indices(int[] a, int[] b) {
        boolean[] hit = new boolean[a.length];
        Lcs.lcsIndicesInA(a, 0, a.length, b, 0, b.length, hit, new long[1][]);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < hit.length; i++) {
            if (hit[i]) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void backtrackMatchesUpstreamExamples() {
        // rouge_scorer_test.py testLcsTable: ref [1,2,3,4,5], c1 [2,5,3,4] -> indices [1,2,3]; c2 [8,9] -> []
        assertThat(indices(new int[] {1, 2, 3, 4, 5}, new int[] {2, 5, 3, 4})).containsExactly(1, 2, 3);
        assertThat(indices(new int[] {1, 2, 3, 4, 5}, new int[] {8, 9})).isEmpty();
        // testUnionLcs: ref [1,2,3,4,5]; c1 [1,2,6,7,8] -> [0,1]; c2 [1,3,8,9,5] -> [0,2,4]
        assertThat(indices(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 6, 7, 8})).containsExactly(0, 1);
        assertThat(indices(new int[] {1, 2, 3, 4, 5}, new int[] {1, 3, 8, 9, 5})).containsExactly(0, 2, 4);
        // ties: [a b] vs [b a] -> up first, so 'a' (index 0)
        assertThat(indices(new int[] {0, 1}, new int[] {1, 0})).containsExactly(0);
    }

    @Test
    void backtrackYieldsACommonSubsequenceOfMaximalLength() {
        Random rnd = new Random(9);
        for (int trial = 0; trial < 500; trial++) {
            int[] a = new int[rnd.nextInt(120)];
            int[] b = new int[rnd.nextInt(120)];
            int alphabet = 1 + rnd.nextInt(6);
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextInt(alphabet);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextInt(alphabet);
            }
            List<Integer> idx = indices(a, b);
            assertThat(idx).hasSize(Lcs.lengthDp(a, a.length, b, b.length));
            // the selected tokens of a appear in order in b
            int j = 0;
            for (int i : idx) {
                while (j < b.length && b[j] != a[i]) {
                    j++;
                }
                assertThat(j).isLessThan(b.length);
                j++;
            }
        }
    }
}
