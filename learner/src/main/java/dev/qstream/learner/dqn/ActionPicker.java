package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * argmax over a row's mask of A(s, a) for some rows of a batch, in one of two ways chosen per batch: one dot product
 * per valid action ("gathering"), or one dense product of the rows' hidden layers with the output rows of every
 * action valid in any of them (the union of their masks, packed into a preallocated matrix: an sgemm of rows ×
 * union), then a scan of each mask. A 256-wide dot product on the heap arrays runs ~3 multiply-adds/ns on the bench
 * machine, single-threaded sgemm ~60, so gathering wins only when the valid actions are under about a sixteenth of
 * rows × union: the actors' masks over 10,000 actions, whose union over a batch runs into thousands (yes); E2E's ~94
 * masked actions out of ~1,000, whose union over a batch of 256 is ~150 (no: the packed product costs a sixth of a
 * dense one over all 986 actions, and a fraction of the dot products). The dueling head's V and mean are the same for
 * every action of a state, so A alone decides. Used for the target's a* on next states and for the demonstration
 * margin's rival on current states.
 */
final class ActionPicker {

    /** Gather when valid actions × this ≤ rows × union. */
    static final long GATHER_RATIO = 16;

    private final QHead head;
    private final int b;
    private final int h;
    private final int actions;
    // The packed product's operands and result, flat and preallocated at their largest (B × hidden, actions ×
    // hidden, B × actions); each batch views their first rows × columns.
    private final INDArray packedHidden;
    private final INDArray packedRows;
    private final INDArray packedScores;
    private final FloatBuffer packedHiddenView;
    private final FloatBuffer packedRowsView;
    private final FloatBuffer packedScoresView;
    private final float[] scores;       // the packed scores, read back: packed row r, column c at r·columns + c
    private final int[] packedRow;      // batch row → its row in the product, −1 when not picked for
    private final int[] columnOf;       // action → its column in the product, −1 when in no mask
    private final int[] columnAction;   // column → action
    private int columns;
    private float[] hidden;
    private Parameters params;
    private boolean gathered;

    ActionPicker(QHead head, QNetworkSpec spec, int batchSize) {
        this.head = head;
        this.b = batchSize;
        this.h = spec.hidden();
        this.actions = spec.actions();
        this.packedHidden = Nd4j.create(DataType.FLOAT, (long) b * h);
        this.packedRows = Nd4j.create(DataType.FLOAT, (long) actions * h);
        this.packedScores = Nd4j.create(DataType.FLOAT, (long) b * actions);
        this.packedHiddenView = packedHidden.data().asNioFloat();
        this.packedRowsView = packedRows.data().asNioFloat();
        this.packedScoresView = packedScores.data().asNioFloat();
        this.scores = new float[b * actions];
        this.packedRow = new int[b];
        this.columnOf = new int[actions];
        this.columnAction = new int[actions];
        Arrays.fill(columnOf, -1);
    }

    /**
     * Gets ready to pick, with {@code params}, on the rows where {@code picked[i]}: each over {@code masks[i]} (null =
     * every action), on its hidden layer (row i of {@code hidden}, B × hidden). Returns whether it gathers.
     */
    boolean prepare(boolean[] picked, int[][] masks, float[] hidden, Parameters params, boolean mayGather) {
        this.hidden = hidden;
        this.params = params;
        for (int c = 0; c < columns; c++) {
            columnOf[columnAction[c]] = -1;
        }
        columns = 0;
        int rows = 0;
        long valid = 0;
        boolean everyAction = false;
        for (int i = 0; i < b; i++) {
            if (!picked[i]) {
                packedRow[i] = -1;
                continue;
            }
            packedRow[i] = rows++;
            int[] mask = masks[i];
            if (mask == null) {
                valid += actions;
                everyAction = true;
                continue;
            }
            valid += mask.length;
            for (int a : mask) {
                if (columnOf[a] < 0) {
                    columnOf[a] = columns;
                    columnAction[columns++] = a;
                }
            }
        }
        if (everyAction) {
            for (int a = 0; a < actions; a++) {
                columnOf[a] = a;
                columnAction[a] = a;
            }
            columns = actions;
        }
        gathered = mayGather && valid * GATHER_RATIO <= (long) rows * columns;
        if (!gathered && rows > 0) {
            scorePacked(rows);
        }
        return gathered;
    }

    /** scores = packed hidden rows · (packed output rows)ᵀ, one sgemm of rows × columns (no output bias). */
    private void scorePacked(int rows) {
        for (int i = 0; i < b; i++) {
            if (packedRow[i] >= 0) {
                packedHiddenView.put(packedRow[i] * h, hidden, i * h, h);
            }
        }
        for (int c = 0; c < columns; c++) {
            packedRowsView.put(c * h, params.w2, columnAction[c] * h, h);
        }
        Nd4j.gemm(matrix(packedHidden, rows, h), matrix(packedRows, columns, h), matrix(packedScores, rows, columns),
                false, true, 1.0, 0.0);
        packedScoresView.get(0, scores, 0, rows * columns);
    }

    /** The first rows × cols entries of a flat array, as a row-major matrix over the same memory. */
    private static INDArray matrix(INDArray flat, int rows, int cols) {
        return Nd4j.create(flat.data(), new long[]{rows, cols}, new long[]{cols, 1}, 0L, 'c');
    }

    /** argmax of A(s_i, ·) over the mask (null = every action; never empty); row i must have been picked for. */
    int argmax(int i, int[] mask) {
        if (gathered) {
            return head.argmax(hidden, i, params, mask);
        }
        int offset = packedRow[i] * columns;
        float[] bias = params.b2;
        int m = mask == null ? actions : mask.length;
        int best = mask == null ? 0 : mask[0];
        float bestQ = scores[offset + columnOf[best]] + bias[best];
        for (int k = 1; k < m; k++) {
            int a = mask == null ? k : mask[k];
            float v = scores[offset + columnOf[a]] + bias[a];
            if (v > bestQ) {
                bestQ = v;
                best = a;
            }
        }
        return best;
    }

    /** argmax over the mask of A(s_i, a) + margin·1(a ≠ demonstrated): the margin's most violating action. */
    int argmaxWithMargin(int i, int[] mask, int demonstrated, float margin) {
        if (gathered) {
            return head.argmaxWithMargin(hidden, i, params, mask, demonstrated, margin);
        }
        int offset = packedRow[i] * columns;
        float[] bias = params.b2;
        int best = demonstrated;
        // The demonstrated action is normally in its state's mask, and so has a column; when not, one dot product.
        float bestQ = columnOf[demonstrated] >= 0
                ? scores[offset + columnOf[demonstrated]] + bias[demonstrated]
                : head.advantage(hidden, i, params, demonstrated);
        int m = mask == null ? actions : mask.length;
        for (int k = 0; k < m; k++) {
            int a = mask == null ? k : mask[k];
            if (a == demonstrated) {
                continue;
            }
            float v = scores[offset + columnOf[a]] + bias[a] + margin;
            if (v > bestQ) {
                bestQ = v;
                best = a;
            }
        }
        return best;
    }
}
