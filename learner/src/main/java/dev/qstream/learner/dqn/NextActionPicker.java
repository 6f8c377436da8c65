package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * a* = argmax_{a ∈ mask(s')} A(s', a) for the rows of a batch, in one of two ways chosen per batch. With the actors'
 * masks (tens of actions out of 10,000) one dot product per valid action ("gathering") is ~100x less work than the
 * dense product; with every action valid the dense product (one sgemm into a preallocated B × actions array) wins.
 * The dueling head's V and mean are the same for every action of a state, so A alone decides.
 */
final class NextActionPicker {

    private final QHead head;
    private final int b;
    private final int actions;
    private final INDArray scores;      // A(s', ·) without the output bias, when dense
    private final FloatBuffer scoresView;
    private FloatBuffer hidden;
    private Parameters params;
    private boolean gathered;

    NextActionPicker(QHead head, QNetworkSpec spec, int batchSize) {
        this.head = head;
        this.b = batchSize;
        this.actions = spec.actions();
        this.scores = Nd4j.create(DataType.FLOAT, b, actions);
        this.scoresView = Parameters.view(scores);
    }

    /**
     * Gets ready to pick for {@code batch} with {@code params} on the next states' hidden layer ({@code hidden},
     * and its view): gathers when allowed and the valid actions to score are at most an eighth of all, otherwise
     * runs the dense product now. Returns whether it gathers.
     */
    boolean prepare(Batch batch, INDArray hidden, FloatBuffer hiddenView, Parameters params, boolean mayGather) {
        this.hidden = hiddenView;
        this.params = params;
        this.gathered = mayGather && validActionsToScore(batch) * 8L <= (long) b * actions;
        if (!gathered) {
            Nd4j.gemm(hidden, params.w2, scores, false, true, 1.0, 0.0);
        }
        return gathered;
    }

    /** a* for row i over its next state's mask (null = every action; never empty). */
    int argmax(int i, int[] mask) {
        return gathered
                ? head.argmax(hidden, i, params, mask)
                : head.argmaxOfScores(scoresView, i * actions, params.b2View, mask);
    }

    /** Valid actions over the batch's bootstrapping next states (null mask = every action). */
    private long validActionsToScore(Batch batch) {
        long n = 0;
        for (int i = 0; i < b; i++) {
            if (batch.discounts[i] != 0f) {
                n += batch.nextMasks[i] == null ? actions : batch.nextMasks[i].length;
            }
        }
        return n;
    }
}
