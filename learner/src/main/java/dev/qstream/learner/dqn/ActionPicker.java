package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * argmax over a row's mask of A(s, a) for the rows of a batch, in one of two ways chosen per batch: one dot product
 * per valid action ("gathering"), or one dense product of the hidden layer with every output row (an sgemm into a
 * preallocated B × actions array) and a scan of the mask. A dot product on direct buffers costs about as much per
 * multiply-add as thirty in sgemm, so gathering wins only when the valid actions are under a thirty-second of all
 * (the actors' masks over 10,000 actions: yes; ~94 masked actions out of ~1,000 for E2E: no, the dense product is
 * 5× faster there). The dueling head's V and mean are the same for every action of a state, so A alone decides.
 * Used for the target's a* on next states and for the demonstration margin's rival on current states.
 */
final class ActionPicker {

    /** Gather when valid actions × this ≤ rows × actions. */
    static final long GATHER_RATIO = 32;

    private final QHead head;
    private final int b;
    private final int actions;
    private final INDArray scores;      // A(s, ·) without the output bias, when dense
    private final FloatBuffer scoresView;
    private FloatBuffer hidden;
    private Parameters params;
    private boolean gathered;

    ActionPicker(QHead head, QNetworkSpec spec, int batchSize) {
        this.head = head;
        this.b = batchSize;
        this.actions = spec.actions();
        this.scores = Nd4j.create(DataType.FLOAT, b, actions);
        this.scoresView = Parameters.view(scores);
    }

    /**
     * Gets ready to pick a* for the batch's bootstrapping next states with {@code params} on their hidden layer
     * ({@code hidden}, and its view). Returns whether it gathers.
     */
    boolean prepareNext(Batch batch, INDArray hidden, FloatBuffer hiddenView, Parameters params, boolean mayGather) {
        long valid = 0;
        for (int i = 0; i < b; i++) {
            if (batch.discounts[i] != 0f) {
                valid += batch.nextMasks[i] == null ? actions : batch.nextMasks[i].length;
            }
        }
        return prepare(valid, hidden, hiddenView, params, mayGather);
    }

    /** Gets ready to pick on the batch's current states, of which {@code valid} masked actions will be scored. */
    boolean prepare(long valid, INDArray hidden, FloatBuffer hiddenView, Parameters params, boolean mayGather) {
        this.hidden = hiddenView;
        this.params = params;
        this.gathered = mayGather && valid * GATHER_RATIO <= (long) b * actions;
        if (!gathered) {
            Nd4j.gemm(hidden, params.w2, scores, false, true, 1.0, 0.0);
        }
        return gathered;
    }

    /** argmax of A(s_i, ·) over the mask (null = every action; never empty). */
    int argmax(int i, int[] mask) {
        return gathered
                ? head.argmax(hidden, i, params, mask)
                : head.argmaxOfScores(scoresView, i * actions, params.b2View, mask);
    }

    /** argmax over the mask of A(s_i, a) + margin·1(a ≠ demonstrated): the margin's most violating action. */
    int argmaxWithMargin(int i, int[] mask, int demonstrated, float margin) {
        if (gathered) {
            return head.argmaxWithMargin(hidden, i, params, mask, demonstrated, margin);
        }
        int offset = i * actions;
        FloatBuffer bias = params.b2View;
        int best = demonstrated;
        float bestQ = scoresView.get(offset + demonstrated) + bias.get(demonstrated);
        int m = mask == null ? actions : mask.length;
        for (int k = 0; k < m; k++) {
            int a = mask == null ? k : mask[k];
            if (a == demonstrated) {
                continue;
            }
            float v = scoresView.get(offset + a) + bias.get(a) + margin;
            if (v > bestQ) {
                bestQ = v;
                best = a;
            }
        }
        return best;
    }
}
