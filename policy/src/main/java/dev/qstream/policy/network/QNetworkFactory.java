package dev.qstream.policy.network;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Q-network as DL4J defines it: a dense ReLU layer (He init) and a linear output layer (Xavier init, so the
 * untrained Q-values start near zero). DL4J defines and initialises the net and is the reference the learner's
 * fast update is tested against; the hot paths run on the exported {@link QNetworkWeights}.
 */
public final class QNetworkFactory {

    private QNetworkFactory() {
    }

    public static MultiLayerConfiguration configuration(QNetworkSpec spec, long seed, IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(spec.inputs()).nOut(spec.hidden())
                        .activation(Activation.RELU).weightInit(WeightInit.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(spec.hidden()).nOut(spec.actions())
                        .activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER).build())
                .build();
    }

    /** A freshly initialised DL4J network. */
    public static MultiLayerNetwork newNetwork(QNetworkSpec spec, long seed, IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(spec, seed, updater));
        net.init();
        return net;
    }

    /** Initial (version 0) weights, deterministic for a seed: every actor builds the same untrained model. */
    public static QNetworkWeights initialWeights(QNetworkSpec spec, long seed) {
        return export(newNetwork(spec, seed, new Sgd(0.0)), spec);
    }

    /** Copies a DL4J network's parameters into the flat layout. */
    public static QNetworkWeights export(MultiLayerNetwork net, QNetworkSpec spec) {
        float[] w1 = net.getParam("0_W").dup('c').data().asFloat();             // [inputs, hidden]
        float[] b1 = net.getParam("0_b").dup('c').data().asFloat();
        float[] w2 = net.getParam("1_W").transpose().dup('c').data().asFloat(); // [actions, hidden]
        float[] b2 = net.getParam("1_b").dup('c').data().asFloat();
        return new QNetworkWeights(spec, w1, b1, w2, b2);
    }

    /** A DL4J network holding the given weights (for baselines and cross-checks). */
    public static MultiLayerNetwork toNetwork(QNetworkWeights weights, IUpdater updater) {
        QNetworkSpec spec = weights.spec();
        MultiLayerNetwork net = newNetwork(spec, 0, updater);
        net.setParam("0_W", Nd4j.create(weights.w1(), new long[]{spec.inputs(), spec.hidden()}, 'c'));
        net.setParam("0_b", Nd4j.create(weights.b1(), new long[]{1, spec.hidden()}, 'c'));
        INDArray w2 = Nd4j.create(weights.w2(), new long[]{spec.actions(), spec.hidden()}, 'c');
        net.setParam("1_W", w2.transpose().dup('c'));
        net.setParam("1_b", Nd4j.create(weights.b2(), new long[]{1, spec.actions()}, 'c'));
        return net;
    }
}
