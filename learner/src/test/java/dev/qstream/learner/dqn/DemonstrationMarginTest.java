package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.SparseState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * DQfD's large-margin loss: demonstrated actions become the greedy ones, by the margin; other rows are untouched.
 * Input dropout is off (it is on by default): these compare exact computations.
 */
class DemonstrationMarginTest {

    private static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(4, 3, 2, 2, 1), 8, 6); // 12 inputs
    private static final int DEMONSTRATED = 2;
    private static final int[] MASK = {1, 2, 4};

    private static Batch demonstrationBatch(boolean demonstrated) {
        Batch batch = new Batch(4, SPEC.inputs());
        for (int i = 0; i < batch.size; i++) {
            batch.states.add(new int[]{i, 8}, new float[]{1f, 1f}, 2); // four different states
            batch.nextStates.add(new int[0], new float[0], 0);
            batch.actions[i] = DEMONSTRATED;
            batch.returns[i] = 0f;
            batch.discounts[i] = 0f; // terminal: the TD target is 0, the margin alone must separate the actions
            batch.masks[i] = MASK;
            batch.demonstrations[i] = demonstrated;
        }
        return batch;
    }

    /** Weights under which action 4 beats the demonstrated action 2 in every state. */
    private static QNetworkWeights rivalFirst() {
        QNetworkWeights w = QNetworkFactory.initialWeights(SPEC, 7);
        float[] b2 = w.b2().clone();
        Arrays.fill(b2, 0f);
        b2[4] = 1f;
        return new QNetworkWeights(SPEC, w.w1(), w.b1(), w.w2(), b2);
    }

    private static float[] q(QNetworkWeights w, Batch batch, int row) {
        int[] idx = {row, 8};
        QFunction f = new QFunction(w);
        float[] h = new float[SPEC.hidden()];
        f.hidden(new SparseState(idx, new float[]{1f, 1f}, SPEC.inputs()), h);
        float[] out = new float[SPEC.actions()];
        f.qAll(h, out);
        return out;
    }

    @Test
    void theMarginMakesTheDemonstratedActionGreedyByAtLeastTheMargin() {
        DqnConfig cfg = DqnConfig.builder().inputDropout(0).batchSize(4).learningRate(0.01).nStep(1).demonstrationMargin(0.5)
                .demonstrationWeight(1.0).build();
        DqnUpdate update = new DqnUpdate(cfg, rivalFirst());
        Batch batch = demonstrationBatch(true);
        double firstLoss = update.update(batch).loss();
        for (int k = 0; k < 400; k++) {
            update.update(batch);
        }
        QNetworkWeights w = update.onlineWeights();
        for (int i = 0; i < batch.size; i++) {
            float[] q = q(w, batch, i);
            for (int a : MASK) {
                if (a != DEMONSTRATED) {
                    assertThat(q[DEMONSTRATED]).as("state %d, rival %d", i, a).isGreaterThan(q[a] + 0.4f);
                }
            }
        }
        assertThat(update.update(batch).loss()).isLessThan(firstLoss);
    }

    @Test
    void withoutTheDemonstrationFlagOrWeightOnlyTheTdLossActs() {
        for (DqnConfig cfg : new DqnConfig[]{
                DqnConfig.builder().inputDropout(0).batchSize(4).learningRate(0.01).nStep(1).build(),
                DqnConfig.builder().inputDropout(0).batchSize(4).learningRate(0.01).nStep(1).demonstrationWeight(0).build()}) {
            boolean flagged = cfg.demonstrationWeight() == 0;
            DqnUpdate update = new DqnUpdate(cfg, rivalFirst());
            Batch batch = demonstrationBatch(flagged);
            for (int k = 0; k < 400; k++) {
                update.update(batch);
            }
            QNetworkWeights w = update.onlineWeights();
            // TD drives Q(s, 2) to its target 0 and never touches the rival's row: 4 keeps winning.
            assertThat(w.b2()[4]).isEqualTo(1f);
            for (int i = 0; i < batch.size; i++) {
                float[] q = q(w, batch, i);
                assertThat(q[DEMONSTRATED]).isCloseTo(0f, within(0.05f));
            }
        }
    }
}
