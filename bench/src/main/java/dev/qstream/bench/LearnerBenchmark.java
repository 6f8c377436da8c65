package dev.qstream.bench;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The learner's update against DL4J's own {@code fit} on the same batches, and the machine's sgemm roofline, all in
 * one run. Both sides do a full Double-DQN step for the reference shape (100 → 256 → 10,000): Q(s', ·) from the
 * online net to pick a*, Q(s', a*) from the target net, then one Adam step on the Huber/MSE loss of the taken action.
 */
public final class LearnerBenchmark {

    /** Figures of one run. */
    public record Result(int batch, double samplesPerSec, double maskedSamplesPerSec, double dl4jFitSamplesPerSec,
                         double sgemmGflops) {
        public double ratio() {
            return samplesPerSec / dl4jFitSamplesPerSec;
        }

        public double maskedRatio() {
            return maskedSamplesPerSec / dl4jFitSamplesPerSec;
        }
    }

    /** The actors' default mask: the prompt's words, the 16 most common words and end-of-sequence. */
    static final int COMMON_WORDS = 16;

    private LearnerBenchmark() {
    }

    public static QNetworkSpec referenceSpec() {
        return new QNetworkSpec(EncoderSpec.reference(), 256, 10_000);
    }

    public static Result run(int batchSize, double seconds) {
        QNetworkSpec spec = referenceSpec();
        QNetworkWeights init = QNetworkFactory.initialWeights(spec, 1);
        Batch[] batches = batches(spec, batchSize, 8, new Random(7), false);
        Batch[] masked = batches(spec, batchSize, 8, new Random(7), true);
        double sgemm = sgemmGflops(seconds / 2);

        DqnConfig cfg = DqnConfig.defaults().withBatchSize(batchSize);
        DqnUpdate fast = new DqnUpdate(cfg, init);
        double fastRate = measure(seconds, batchSize, i -> fast.update(batches[i % batches.length]));
        // The same update on the same states with the masks the actors record: the target's max needs only the
        // valid actions' columns (the DL4J side cannot use them, so it is measured once, every action valid).
        DqnUpdate fastMasked = new DqnUpdate(cfg, init);
        double maskedRate = measure(seconds, batchSize, i -> fastMasked.update(masked[i % masked.length]));

        double dl4jRate = dl4jRate(spec, init, cfg, batches, batchSize, seconds);
        return new Result(batchSize, fastRate, maskedRate, dl4jRate, sgemm);
    }

    /** Figures at a task's shape: the update (masks, demonstration margin and all) beside DL4J fit on the same batches. */
    public record TaskResult(String shape, int batch, double samplesPerSec, double dl4jFitSamplesPerSec, double meanMask) {
        public double ratio() {
            return samplesPerSec / dl4jFitSamplesPerSec;
        }
    }

    /**
     * The update on the shape {@code up} runs for a task. Where the two sides differ: the DL4J side gets the states
     * scattered into dense matrices, multiplies them through every input, takes the target's argmax over every action
     * (it cannot use the recorded masks) and fits MSE on the taken action's Q, without the demonstration margin; the
     * fast side does the full Double-DQN update with masks, Huber, the margin on half the rows, and lazy Adam on the
     * output rows, summing only the active inputs' W1 rows (the sparse first layer) and scoring only the actions
     * valid somewhere in the batch.
     */
    static TaskResult runTask(TaskShape shape, int batchSize, double seconds) {
        QNetworkSpec spec = shape.spec;
        QNetworkWeights init = QNetworkFactory.initialWeights(spec, 1);
        Batch[] batches = shape.batches(batchSize, 8, new Random(7));
        DqnConfig cfg = DqnConfig.defaults().withBatchSize(batchSize);
        DqnUpdate fast = new DqnUpdate(cfg, init);
        double fastRate = measure(seconds, batchSize, i -> fast.update(batches[i % batches.length]));
        double dl4jRate = dl4jRate(spec, init, cfg, batches, batchSize, seconds);
        return new TaskResult(shape.name, batchSize, fastRate, dl4jRate, shape.meanMask());
    }

    private static double dl4jRate(QNetworkSpec spec, QNetworkWeights init, DqnConfig cfg, Batch[] batches, int batchSize,
                                   double seconds) {
        MultiLayerNetwork online = QNetworkFactory.toNetwork(init, new Adam(cfg.learningRate()));
        MultiLayerNetwork target = QNetworkFactory.toNetwork(init, new Adam(cfg.learningRate()));
        INDArray[] states = new INDArray[batches.length];
        INDArray[] next = new INDArray[batches.length];
        for (int i = 0; i < batches.length; i++) {
            // DL4J takes dense inputs: the same states, scattered once before timing.
            states[i] = Nd4j.create(batches[i].states.toDense(), new long[]{batchSize, spec.inputs()}, 'c');
            next[i] = Nd4j.create(batches[i].nextStates.toDense(), new long[]{batchSize, spec.inputs()}, 'c');
        }
        return measure(seconds, batchSize, i -> {
            int k = i % batches.length;
            Batch b = batches[k];
            INDArray qNextOnline = online.output(next[k]);
            INDArray qNextTarget = target.output(next[k]);
            INDArray best = qNextOnline.argMax(1);
            INDArray labels = online.output(states[k]).dup();
            for (int row = 0; row < batchSize; row++) {
                int aStar = best.getInt(row);
                double y = b.returns[row] + b.discounts[row] * qNextTarget.getDouble(row, aStar);
                labels.putScalar(row, b.actions[row], y);
            }
            online.fit(new DataSet(states[k], labels));
        });
    }

    private interface Step {
        void run(int i);
    }

    private static double measure(double seconds, int batchSize, Step step) {
        for (int i = 0; i < 5; i++) {
            step.run(i); // warm-up
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int steps = 0;
        while (System.nanoTime() < deadline || steps < 3) {
            step.run(steps++);
        }
        return steps * (double) batchSize / ((System.nanoTime() - start) / 1e9);
    }

    /** GFLOP/s of 256×256 · 256×10000 into a preallocated result: the ceiling for the target computation. */
    public static double sgemmGflops(double seconds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, 256, 256);
        INDArray b = Nd4j.rand(DataType.FLOAT, 256, 10_000);
        INDArray c = Nd4j.create(DataType.FLOAT, 256, 10_000);
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int n = 0;
        while (System.nanoTime() < deadline || n < 3) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            n++;
        }
        double flops = 2.0 * 256 * 256 * 10_000 * n;
        return flops / ((System.nanoTime() - start) / 1e9) / 1e9;
    }

    /**
     * Random batches of the reference shape: sparse states from random token ids; every action valid, or (masked)
     * the actors' default mask of the next state: the prompt's words, the common words and end-of-sequence.
     */
    static Batch[] batches(QNetworkSpec spec, int batchSize, int count, Random random, boolean masked) {
        StateEncoder encoder = new StateEncoder(spec.encoder());
        Batch[] out = new Batch[count];
        for (int k = 0; k < count; k++) {
            Batch b = new Batch(batchSize, spec.inputs());
            for (int i = 0; i < batchSize; i++) {
                int[] prompt = random.ints(12, 3, spec.actions()).toArray();
                int[] prefix = random.ints(1 + random.nextInt(20), 3, spec.actions()).toArray();
                b.states.add(encoder.encode(prompt, prefix, prefix.length - 1));
                b.nextStates.add(encoder.encode(prompt, prefix, prefix.length));
                b.actions[i] = prefix[prefix.length - 1];
                b.returns[i] = (float) random.nextGaussian();
                b.discounts[i] = random.nextInt(10) == 0 ? 0f : 0.95f;
                b.nextMasks[i] = masked ? actorMask(prompt) : null;
            }
            out[k] = b;
        }
        return out;
    }

    private static int[] actorMask(int[] prompt) {
        IntStream common = IntStream.range(Vocabulary.SPECIAL_TOKENS, Vocabulary.SPECIAL_TOKENS + COMMON_WORDS);
        return IntStream.concat(IntStream.concat(Arrays.stream(prompt), common), IntStream.of(Vocabulary.EOS_ID))
                .distinct().sorted().toArray();
    }

}
