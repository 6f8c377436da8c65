package dev.qstream.policy.network;

import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.SparseState;
import dev.qstream.policy.state.StateEncoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class QFunctionTest {

    @Test
    void matchesDl4jOutputForEveryActionAndTheMaskedSubset() {
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(20, 8, 6, 4, 10), 32, 50);
        QNetworkWeights weights = QNetworkFactory.initialWeights(spec, 42);
        MultiLayerNetwork net = QNetworkFactory.toNetwork(weights, new Sgd(0.0));
        StateEncoder encoder = new StateEncoder(spec.encoder());
        SparseState state = encoder.encode(new int[]{5, 9, 13, 40}, new int[]{9, 21}, 2);

        INDArray expected = net.output(Nd4j.create(state.toDense(), new long[]{1, spec.inputs()}));
        QFunction q = new QFunction(weights);
        float[] h = new float[spec.hidden()];
        q.hidden(state, h);
        float[] all = new float[spec.actions()];
        q.qAll(h, all);
        for (int a = 0; a < spec.actions(); a++) {
            assertThat((double) all[a]).isCloseTo(expected.getDouble(0, a), within(1e-5));
        }
        int[] mask = {2, 7, 49};
        float[] masked = new float[3];
        q.q(h, mask, masked);
        for (int i = 0; i < mask.length; i++) {
            assertThat(masked[i]).isEqualTo(all[mask[i]]);
        }
    }

    @Test
    void initialWeightsAreDeterministicPerSeedAndExportRoundTripsThroughDl4j() {
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(4, 3, 3, 2, 2), 8, 6);
        QNetworkWeights a = QNetworkFactory.initialWeights(spec, 7);
        QNetworkWeights b = QNetworkFactory.initialWeights(spec, 7);
        QNetworkWeights c = QNetworkFactory.initialWeights(spec, 8);
        assertThat(a.w2()).isEqualTo(b.w2());
        assertThat(a.w1()).isNotEqualTo(c.w1());
        QNetworkWeights back = QNetworkFactory.export(QNetworkFactory.toNetwork(a, new Sgd(0.0)), spec);
        assertThat(back.w1()).isEqualTo(a.w1());
        assertThat(back.w2()).isEqualTo(a.w2());
        assertThat(back.b2()).isEqualTo(a.b2());
    }
}
