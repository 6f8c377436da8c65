package dev.qstream.learner.dqn;

import dev.qstream.policy.state.SparseState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SparseRowsTest {

    @Test
    void rowsAppendedSparselyOrDenselyReadBackAsTheSameDenseMatrix() {
        SparseRows rows = new SparseRows(3, 5);
        rows.add(new SparseState(new int[]{1, 4}, new float[]{1f, 2f}, 5));
        rows.addDense(new float[]{0f, 0f, -3f, 0f, 0f}, 0);
        rows.add(new int[0], new float[0], 0); // a state with no active input
        assertThat(rows.rows()).isEqualTo(3);
        assertThat(rows.nonZeros()).isEqualTo(3);
        float[] dense = {0, 1, 0, 0, 2, 0, 0, -3, 0, 0, 0, 0, 0, 0, 0};
        assertThat(rows.toDense()).containsExactly(dense);

        SparseRows again = new SparseRows(3, 5);
        again.setDense(dense);
        assertThat(again.toDense()).containsExactly(dense);
    }

    @Test
    void aBatchWithMoreNonZerosThanAnyBeforeGrowsTheArraysAndClearStartsOver() {
        SparseRows rows = new SparseRows(2, 200); // room for 64 non-zeros a row at first
        float[] full = new float[400];
        for (int i = 0; i < full.length; i++) {
            full[i] = i + 1;
        }
        rows.setDense(full);
        assertThat(rows.nonZeros()).isEqualTo(400);
        assertThat(rows.toDense()).containsExactly(full);
        rows.clear();
        assertThat(rows.rows()).isZero();
        rows.add(new int[]{7}, new float[]{1f}, 1);
        assertThat(rows.nonZeros()).isEqualTo(1);
    }

    @Test
    void inputsOutsideTheWidthAndRowsBeyondTheCapacityAreRefused() {
        SparseRows rows = new SparseRows(1, 5);
        assertThatThrownBy(() -> rows.add(new int[]{5}, new float[]{1f}, 1)).isInstanceOf(IllegalArgumentException.class);
        rows.add(new int[]{4}, new float[]{1f}, 1);
        assertThatThrownBy(() -> rows.add(new int[]{0}, new float[]{1f}, 1)).isInstanceOf(IllegalStateException.class);
    }
}
