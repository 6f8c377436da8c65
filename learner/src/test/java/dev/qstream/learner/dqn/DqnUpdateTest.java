package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.SparseState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Configs here switch input dropout off (it is on by default): they compare exact computations. */
class DqnUpdateTest {

    private static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(4, 3, 2, 2, 1), 8, 6); // 12 inputs

    private static DqnConfig sgd(double lr, boolean doubleDqn) {
        return DqnConfig.builder().inputDropout(0).learningRate(lr).batchSize(4).huberDelta(1e9).maxGradNorm(0.0).doubleDqn(doubleDqn).targetSyncEvery(1_000_000).nStep(1).optimizer(DqnConfig.Optimizer.SGD).build();
    }

    private static Batch randomBatch(int size, Random r) {
        Batch batch = new Batch(size, SPEC.inputs());
        fillRandomStates(batch, r, 0.4f);
        for (int i = 0; i < size; i++) {
            batch.actions[i] = r.nextInt(SPEC.actions());
            batch.returns[i] = (float) r.nextGaussian();
            batch.discounts[i] = i % 2 == 0 ? 0.9f : 0f; // half terminal
        }
        batch.actions[3] = batch.actions[0]; // a repeated action: its gradient rows must add up
        batch.nextMasks[1] = new int[]{0, 2, 5};
        return batch;
    }

    /** Random 0/1 states and next states, each input on with probability {@code density}. */
    static void fillRandomStates(Batch batch, Random r, float density) {
        float[] states = new float[batch.size * batch.inputs];
        float[] next = new float[batch.size * batch.inputs];
        for (int i = 0; i < states.length; i++) {
            states[i] = r.nextFloat() < density ? 1f : 0f;
            next[i] = r.nextFloat() < density ? 1f : 0f;
        }
        batch.states.setDense(states);
        batch.nextStates.setDense(next);
    }

    /** Q-values of dense row i via the serving code path (an independent implementation). */
    private static float[] q(QNetworkWeights w, float[] states, int row) {
        float[] dense = Arrays.copyOfRange(states, row * SPEC.inputs(), (row + 1) * SPEC.inputs());
        int nz = 0;
        for (float v : dense) {
            if (v != 0) {
                nz++;
            }
        }
        int[] idx = new int[nz];
        float[] val = new float[nz];
        for (int i = 0, k = 0; i < dense.length; i++) {
            if (dense[i] != 0) {
                idx[k] = i;
                val[k++] = dense[i];
            }
        }
        QFunction f = new QFunction(w);
        float[] h = new float[SPEC.hidden()];
        f.hidden(new SparseState(idx, val, dense.length), h);
        float[] out = new float[SPEC.actions()];
        f.qAll(h, out);
        return out;
    }

    private static float target(QNetworkWeights online, QNetworkWeights target, Batch batch, int i, boolean doubleDqn) {
        float[] qOnline = q(online, batch.nextStates.toDense(), i);
        float[] qTarget = q(target, batch.nextStates.toDense(), i);
        float[] picker = doubleDqn ? qOnline : qTarget;
        int[] mask = batch.nextMasks[i];
        int best = mask == null ? 0 : mask[0];
        for (int a = 0; a < SPEC.actions(); a++) {
            final int action = a;
            boolean valid = mask == null || Arrays.stream(mask).anyMatch(m -> m == action);
            if (valid && picker[a] > picker[best]) {
                best = a;
            }
        }
        return batch.returns[i] + batch.discounts[i] * qTarget[best];
    }

    @Test
    void oneSgdStepEqualsDl4jFitOnTheSameBatchAndLoss() {
        QNetworkWeights init = QNetworkFactory.initialWeights(SPEC, 11);
        Batch batch = randomBatch(4, new Random(5));

        // Labels for DL4J: its own output, with the taken action's entry replaced by the TD target.
        double dl4jLr = 0.3;
        MultiLayerNetwork net = QNetworkFactory.toNetwork(init, new Sgd(dl4jLr));
        INDArray features = Nd4j.create(batch.states.toDense(), new long[]{4, SPEC.inputs()}, 'c');
        INDArray labels = net.output(features).dup();
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, batch.actions[i], target(init, init, batch, i, true));
        }
        // Two rows share action a: DL4J sees both labels, one per row, exactly like the fast path.
        net.fit(new DataSet(features, labels));
        QNetworkWeights expected = QNetworkFactory.export(net, SPEC);

        // DL4J's MSE gradient per output is 2·δ/(nOut·B); the fast path's Huber (large δ) gives δ/B.
        DqnUpdate update = new DqnUpdate(sgd(dl4jLr * 2.0 / SPEC.actions(), true), init);
        update.update(batch);
        QNetworkWeights actual = update.onlineWeights();

        assertClose(actual.w1(), expected.w1());
        assertClose(actual.b1(), expected.b1());
        assertClose(actual.w2(), expected.w2());
        assertClose(actual.b2(), expected.b2());
        assertThat(maxAbsDiff(actual.w2(), init.w2())).isGreaterThan(1e-4); // it did move
    }

    @Test
    void tdErrorsMatchHandComputationForDoubleAndVanillaDqnWithMasksAndTerminals() {
        Random r = new Random(9);
        QNetworkWeights online = QNetworkFactory.initialWeights(SPEC, 1);
        QNetworkWeights tgt = QNetworkFactory.initialWeights(SPEC, 2);
        for (boolean doubleDqn : new boolean[]{true, false}) {
            Batch batch = randomBatch(4, r);
            DqnUpdate update = new DqnUpdate(sgd(0.01, doubleDqn), online);
            update.load(online, tgt);
            UpdateStats stats = update.update(batch);
            for (int i = 0; i < 4; i++) {
                float qsa = q(online, batch.states.toDense(), i)[batch.actions[i]];
                float expected = qsa - target(online, tgt, batch, i, doubleDqn);
                assertThat(stats.tdErrors()[i]).as("row %d double=%s", i, doubleDqn).isCloseTo(expected, within(1e-5f));
            }
            // Terminal rows ignore the next state entirely.
            float q0 = q(online, batch.states.toDense(), 1)[batch.actions[1]];
            assertThat(stats.tdErrors()[1]).isCloseTo(q0 - batch.returns[1], within(1e-5f));
        }
    }

    @Test
    void inputDropoutDropsAboutThatShareOfTheTrainedStatesInputsScalesTheRestAndTrainsAsOnThatBatchWithWholeNextStates() {
        QNetworkWeights init = QNetworkFactory.initialWeights(SPEC, 5);
        Batch batch = new Batch(64, SPEC.inputs());
        fillRandomStates(batch, new Random(7), 0.5f);
        Random r = new Random(8);
        for (int i = 0; i < batch.size; i++) {
            batch.actions[i] = r.nextInt(SPEC.actions());
            batch.returns[i] = (float) r.nextGaussian();
            batch.discounts[i] = 0.9f;
        }
        float[] states = batch.states.toDense();
        float[] next = batch.nextStates.toDense();
        DqnConfig base = DqnConfig.builder().inputDropout(0).learningRate(0.05).batchSize(64).maxGradNorm(0).doubleDqn(true).nStep(1)
                .optimizer(DqnConfig.Optimizer.SGD).build();
        DqnUpdate dropping = new DqnUpdate(base.toBuilder().inputDropout(0.5).build(), init);
        dropping.update(batch);

        float[] dropped = batch.states.toDense();
        int on = 0;
        int off = 0;
        for (int i = 0; i < states.length; i++) {
            if (states[i] == 0f) {
                assertThat(dropped[i]).isZero();
            } else {
                assertThat(dropped[i]).as("kept inputs are scaled by 1/(1-p)").isIn(0f, 2f);
                on++;
                off += dropped[i] == 0f ? 1 : 0;
            }
        }
        assertThat((double) off / on).as("share dropped of %d active inputs", on).isBetween(0.4, 0.6);
        assertThat(batch.nextStates.toDense()).as("next states stay whole").containsExactly(next);

        // The same step as an update without dropout on the dropped states: the online net's pick of a* in s'
        // must come from the whole s', not from the dropped s's hidden layer.
        Batch same = new Batch(64, SPEC.inputs());
        same.states.setDense(dropped);
        same.nextStates.setDense(next);
        System.arraycopy(batch.actions, 0, same.actions, 0, 64);
        System.arraycopy(batch.returns, 0, same.returns, 0, 64);
        System.arraycopy(batch.discounts, 0, same.discounts, 0, 64);
        DqnUpdate plain = new DqnUpdate(base, init);
        plain.update(same);
        assertThat(dropping.onlineWeights().w1()).containsExactly(plain.onlineWeights().w1());
        assertThat(dropping.onlineWeights().w2()).containsExactly(plain.onlineWeights().w2());
    }

    @Test
    void hardTargetSyncCopiesOnlineEveryNUpdatesAndPolyakMovesPartWay() {
        QNetworkWeights init = QNetworkFactory.initialWeights(SPEC, 3);
        Batch batch = randomBatch(4, new Random(1));
        DqnConfig hard = DqnConfig.builder().inputDropout(0).learningRate(0.05).batchSize(4).maxGradNorm(10).targetSyncEvery(2).nStep(1).build();
        DqnUpdate update = new DqnUpdate(hard, init);
        update.update(batch);
        assertThat(update.targetWeights().w1()).isEqualTo(init.w1());
        update.update(batch);
        assertThat(update.targetWeights().w1()).isEqualTo(update.onlineWeights().w1());

        DqnConfig polyak = DqnConfig.builder().inputDropout(0).learningRate(0.05).batchSize(4).maxGradNorm(10).targetSyncEvery(2).tau(0.5).nStep(1).build();
        DqnUpdate soft = new DqnUpdate(polyak, init);
        soft.update(batch);
        float[] o = soft.onlineWeights().w1();
        float[] t = soft.targetWeights().w1();
        for (int i = 0; i < o.length; i++) {
            assertThat(t[i]).isCloseTo(0.5f * o[i] + 0.5f * init.w1()[i], within(1e-6f));
        }
    }

    @Test
    void withTheActorsSmallMasksOnlyTheValidActionsAreScoredAndTheUpdateEqualsTheDensePath() {
        // 2,000 actions, 5 valid per state, 64 states: the masks' union over the batch is ~300 actions, and 64 rows ×
        // 300 columns of the dense product cost more than the ~320 dot products, so the per-action path applies. It
        // must train exactly like the dense product, with plain and dueling heads, double and vanilla DQN, over many
        // Adam steps.
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(4, 3, 2, 2, 1), 16, 2_000);
        int size = 64;
        for (boolean dueling : new boolean[]{false, true}) {
            for (boolean doubleDqn : new boolean[]{true, false}) {
                DqnConfig cfg = DqnConfig.builder().inputDropout(0).learningRate(0.01).batchSize(size).maxGradNorm(10).doubleDqn(doubleDqn).targetSyncEvery(5).dueling(dueling).build();
                QNetworkWeights init = QNetworkFactory.initialWeights(spec, 21);
                DqnUpdate gathered = new DqnUpdate(cfg, init);
                DqnUpdate dense = new DqnUpdate(cfg, init);
                dense.gatherValidColumns = false;
                Random r = new Random(dueling ? 3 : 4);
                for (int step = 0; step < 20; step++) {
                    Batch batch = new Batch(size, spec.inputs());
                    fillRandomStates(batch, r, 0.4f);
                    for (int i = 0; i < size; i++) {
                        batch.actions[i] = r.nextInt(spec.actions());
                        batch.returns[i] = (float) r.nextGaussian();
                        batch.discounts[i] = i % 8 == 7 ? 0f : 0.729f;
                        batch.masks[i] = r.ints(5, 0, spec.actions()).distinct().toArray();
                        batch.nextMasks[i] = i % 8 == 7 ? null : r.ints(5, 0, spec.actions()).distinct().toArray();
                    }
                    // terminal rows: their (absent) masks cost nothing
                    UpdateStats g = gathered.update(batch);
                    UpdateStats d = dense.update(batch);
                    assertThat(gathered.lastUpdateGathered).isTrue();
                    assertThat(dense.lastUpdateGathered).isFalse();
                    assertClose(g.tdErrors(), d.tdErrors());
                }
                String what = "dueling=" + dueling + " double=" + doubleDqn;
                assertThat(maxAbsDiff(gathered.onlineWeights().w2(), dense.onlineWeights().w2())).as(what).isLessThan(1e-5);
                assertThat(maxAbsDiff(gathered.onlineWeights().w1(), dense.onlineWeights().w1())).as(what).isLessThan(1e-5);
                assertThat(maxAbsDiff(gathered.onlineWeights().w2(), init.w2())).as(what).isGreaterThan(1e-3); // it trained
            }
        }
    }

    @Test
    void theSparseFirstLayerTrainsLikeTheDenseProducts() {
        // 100 inputs with ~8 active per state (some values other than 1), masks drawn from a few shared actions (so
        // the argmax runs through the packed product), demonstrated rows, terminal rows, rows with every action
        // valid: summing W1's active rows must give the dense products' Q-values, losses and TD errors, and the same
        // parameters, target and Adam moments after a dozen Adam steps, with every head and target variant.
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(40, 20, 20, 10, 10), 32, 50);
        int size = 16;
        for (boolean dueling : new boolean[]{false, true}) {
            for (boolean doubleDqn : new boolean[]{true, false}) {
                for (double demonstrationWeight : new double[]{1.0, 0.0}) {
                    String what = "dueling=" + dueling + " double=" + doubleDqn + " margin=" + demonstrationWeight;
                    DqnConfig cfg = DqnConfig.builder().inputDropout(0).learningRate(0.01).batchSize(size).maxGradNorm(1.0)
                            .doubleDqn(doubleDqn).dueling(dueling).demonstrationWeight(demonstrationWeight)
                            .targetSyncEvery(doubleDqn ? 5 : 1_000).tau(doubleDqn ? 0.0 : 0.1).build();
                    QNetworkWeights init = QNetworkFactory.initialWeights(spec, 31);
                    DqnUpdate sparse = new DqnUpdate(cfg, init);
                    DqnUpdate dense = new DqnUpdate(cfg, init);
                    dense.sumActiveRows = false;
                    Random r = new Random(dueling ? 5 : 6);
                    for (int step = 0; step < 12; step++) {
                        Batch batch = sparseBatch(spec, size, r);
                        assertThat(new HiddenLayer(spec, size).sumsRows(batch.states, true)).isTrue();
                        UpdateStats s = sparse.update(batch);
                        UpdateStats d = dense.update(batch);
                        assertThat(sparse.lastUpdateGathered).isFalse();
                        assertRelativelyClose(s.tdErrors(), d.tdErrors(), what + " step " + step + " TD errors");
                        assertRelativelyClose(new float[]{(float) s.loss(), (float) s.meanQ(), (float) s.gradNorm()},
                                new float[]{(float) d.loss(), (float) d.meanQ(), (float) d.gradNorm()},
                                what + " step " + step + " loss, mean Q, gradient norm");
                    }
                    DqnUpdate.State s = sparse.state();
                    DqnUpdate.State d = dense.state();
                    for (var pair : List.of(List.of(s.online(), d.online()), List.of(s.target(), d.target()),
                            List.of(s.adamM(), d.adamM()), List.of(s.adamV(), d.adamV()))) {
                        QNetworkWeights a = pair.get(0);
                        QNetworkWeights e = pair.get(1);
                        assertRelativelyClose(a.w1(), e.w1(), what + " W1");
                        assertRelativelyClose(a.b1(), e.b1(), what + " b1");
                        assertRelativelyClose(a.w2(), e.w2(), what + " W2");
                        assertRelativelyClose(a.b2(), e.b2(), what + " b2");
                    }
                    assertRelativelyClose(s.onlineV(), d.onlineV(), what + " v");
                    assertRelativelyClose(s.adamVV(), d.adamVV(), what + " Adam's v of v");
                    assertThat(maxAbsDiff(s.online().w1(), init.w1())).as(what).isGreaterThan(1e-3); // it trained
                }
            }
        }
    }

    /** A batch of sparse states (~8 of the inputs active), masks from a small shared pool, half demonstrated. */
    private static Batch sparseBatch(QNetworkSpec spec, int size, Random r) {
        Batch batch = new Batch(size, spec.inputs());
        int[] pool = r.ints(12, 0, spec.actions()).distinct().toArray();
        for (int i = 0; i < size; i++) {
            // Ascending inputs, as the encoder writes them; most next states are their state with an input or two
            // changed (as a new token does), some unrelated.
            int[] idx = r.ints(8, 0, spec.inputs()).distinct().sorted().toArray();
            int[] nextIdx = i % 3 == 2
                    ? r.ints(8, 0, spec.inputs()).distinct().sorted().toArray()
                    : IntStream.concat(Arrays.stream(idx).skip(1 + r.nextInt(2)), r.ints(2, 0, spec.inputs()))
                            .distinct().sorted().toArray();
            batch.states.add(idx, values(idx.length, r), idx.length);
            batch.nextStates.add(nextIdx, values(nextIdx.length, r), nextIdx.length);
        }
        for (int i = 0; i < size; i++) {
            int[] mask = r.ints(6, 0, pool.length).map(k -> pool[k]).distinct().toArray();
            batch.masks[i] = i % 5 == 4 ? null : mask;
            batch.actions[i] = batch.masks[i] == null ? r.nextInt(spec.actions()) : mask[r.nextInt(mask.length)];
            batch.nextMasks[i] = i % 7 == 6 ? null : r.ints(6, 0, pool.length).map(k -> pool[k]).distinct().toArray();
            batch.returns[i] = (float) r.nextGaussian();
            batch.discounts[i] = i % 4 == 3 ? 0f : 0.81f;
            batch.demonstrations[i] = i % 2 == 0;
            batch.weights[i] = 0.5f + 0.5f * r.nextFloat();
        }
        return batch;
    }

    /** The encoder's 1s, and one other value. */
    private static float[] values(int n, Random r) {
        float[] val = new float[n];
        Arrays.fill(val, 1f);
        val[r.nextInt(n)] = (float) r.nextGaussian();
        return val;
    }

    /** Each value within 1e-5 of the expected one, relative to its size (absolute below 1). */
    private static void assertRelativelyClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            float tolerance = 1e-5f * Math.max(1f, Math.abs(expected[i]));
            assertThat(actual[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(tolerance));
        }
    }

    @Test
    void withEveryActionValidTheDenseProductIsUsed() {
        QNetworkWeights init = QNetworkFactory.initialWeights(SPEC, 11);
        Batch batch = randomBatch(4, new Random(5));
        batch.discounts[1] = 0.9f;
        DqnUpdate update = new DqnUpdate(sgd(0.01, true), init);
        update.update(batch);
        assertThat(update.lastUpdateGathered).isFalse();
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("param %d", i).isCloseTo(expected[i], within(1e-5f));
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
