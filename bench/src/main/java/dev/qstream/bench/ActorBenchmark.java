package dev.qstream.bench;

import dev.qstream.actor.decode.BatchingDecoder;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.StepRequest;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.KafkaVariableClient;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.actor.model.VariableClient;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.publish.ModelPublisher;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.PromptCopies;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.topics.TopicLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.HdrHistogram.Histogram;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;


import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The actor's speed on the reference model (100 → 256 → 10,000), all figures from one run: per-token decision
 * latency with a mask and without, beside DL4J's {@code output()} + argmax; generation throughput with 1, 8 and 64
 * concurrent requests through the batching decoder; and publish → serving swap latency of the 10 MB model through an
 * embedded broker.
 */
public final class ActorBenchmark {

    /** Figures of one run. */
    /**
     * @param swapMillis      publish → serving, microseconds (despite the name, kept for the JSON field names)
     * @param swapLocalMeanMillis the actor's own share of it (its {@code actor.model.swap.local} timer: from the poll
     *                            that brought the last chunk to serving), mean over the measured swaps in
     *                            milliseconds; NaN when the client does not time it
     */
    public record Result(Histogram masked, Histogram unmasked, Histogram dl4j, Map<Integer, Double> maskedTokensPerSec,
                         Map<Integer, Double> unmaskedTokensPerSec, Histogram swapMillis, double swapLocalMeanMillis) {
    }

    private ActorBenchmark() {
    }

    public static Result run(double seconds, int swaps) throws Exception {
        Vocabulary vocabulary = Vocabulary.synthetic(10_000 - Vocabulary.SPECIAL_TOKENS);
        QNetworkSpec spec = new QNetworkSpec(EncoderSpec.reference(), 256, vocabulary.size());
        QNetworkWeights weights = QNetworkFactory.initialWeights(spec, 1);
        ModelSnapshot model = new ModelSnapshot(1, 0, vocabulary.fingerprint(), weights);
        ServingPolicy policy = ServingPolicy.of(model, true);
        VariableClient variables = () -> policy;
        SplittableRandom random = new SplittableRandom(3);

        Histogram masked = decisionLatency(variables, new ActionMasker(ActionMasker.Mode.PROMPT_AND_COMMON, vocabulary, 64), seconds, random);
        Histogram unmasked = decisionLatency(variables, new ActionMasker(ActionMasker.Mode.ALL, vocabulary, 0), seconds, random);
        Histogram dl4j = dl4jLatency(weights, seconds, random);

        Map<Integer, Double> maskedRate = new TreeMap<>();
        Map<Integer, Double> unmaskedRate = new TreeMap<>();
        for (int concurrency : new int[]{1, 8, 64}) {
            maskedRate.put(concurrency, throughput(variables, vocabulary, ActionMasker.Mode.PROMPT_AND_COMMON, concurrency, seconds));
            unmaskedRate.put(concurrency, throughput(variables, vocabulary, ActionMasker.Mode.ALL, concurrency, seconds));
        }
        double[] local = new double[1];
        Histogram swap = swapLatency(vocabulary, spec, swaps, local);
        return new Result(masked, unmasked, dl4j, maskedRate, unmaskedRate, swap, local[0]);
    }

    /** Per-token decision latency at a task's shape, beside DL4J's output() on the same shape. */
    public record TaskResult(String shape, Histogram decisions, Histogram dl4j, double meanMask) {
    }

    /**
     * One request alone at the shape {@code up} runs for a task: states from the task's references, the mask computed
     * as the actor computes it (prompt words, copy actions, common words; inside the timing, as in the actor).
     */
    static TaskResult runTask(TaskShape shape, double seconds) {
        QNetworkWeights weights = QNetworkFactory.initialWeights(shape.spec, 1);
        ServingPolicy policy = ServingPolicy.of(new ModelSnapshot(1, 0, shape.vocabulary.fingerprint(), weights), false);
        DirectDecoder decoder = new DirectDecoder(() -> policy);
        SplittableRandom random = new SplittableRandom(3);
        Histogram histogram = new Histogram(3);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < deadline || i < 2_000) {
            int at = random.nextInt(shape.steps.size());
            Transition t = shape.steps.get(at);
            int[] prompt = TaskShape.ints(t.getPromptTokens());
            int[] prefix = TaskShape.ints(t.getPrefixTokens());
            PromptCopies copies = shape.copies.get(t.getPromptId().toString());
            List<String> words = shape.wordsBefore(at);
            int[] said = words.stream().mapToInt(copies::wordId).toArray();
            int[] copyActions = copies.actions();
            long start = System.nanoTime();
            // As the actor does per step: the words the copies would say, then the mask.
            ActionMasker.Mask mask = shape.masker.mask(prompt, copyActions, copies.nextWordIds(words), prefix, said, prefix.length);
            decoder.decide(new StepRequest(prompt, prefix, prefix.length, mask, Exploration.greedy(), random));
            long took = System.nanoTime() - start;
            if (i++ >= 1_000) {
                histogram.recordValue(took);
            }
        }
        return new TaskResult(shape.name, histogram, dl4jLatency(weights, seconds, random), shape.meanMask());
    }

    private static int[] randomTokens(SplittableRandom random, int n, int vocabulary) {
        return random.ints(n, Vocabulary.SPECIAL_TOKENS, vocabulary).toArray();
    }

    /** One request alone: nanoseconds per decision (encode, hidden layer, Q of the valid actions, selection). */
    private static Histogram decisionLatency(VariableClient variables, ActionMasker masker, double seconds, SplittableRandom random)
            throws InterruptedException {
        DirectDecoder decoder = new DirectDecoder(variables);
        int actions = variables.current().model().spec().actions();
        Histogram histogram = new Histogram(3);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < deadline || i < 2_000) {
            int[] prompt = randomTokens(random, 20, actions);
            int[] prefix = randomTokens(random, 32, actions);
            int length = random.nextInt(32);
            long start = System.nanoTime();
            decoder.decide(new StepRequest(prompt, prefix, length, masker.mask(prompt, prefix, length), Exploration.greedy(), random));
            long took = System.nanoTime() - start;
            if (i++ >= 1_000) { // warm-up excluded
                histogram.recordValue(took);
            }
        }
        return histogram;
    }

    /** DL4J's own inference for the same net: output() on a dense state, then argmax. */
    private static Histogram dl4jLatency(QNetworkWeights weights, double seconds, SplittableRandom random) {
        MultiLayerNetwork net = QNetworkFactory.toNetwork(weights, new Sgd(0.0));
        int inputs = weights.spec().inputs();
        StateEncoder encoder = new StateEncoder(weights.spec().encoder());
        Histogram histogram = new Histogram(3);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < deadline || i < 2_000) {
            int[] prompt = randomTokens(random, 20, weights.spec().actions());
            int[] prefix = randomTokens(random, 32, weights.spec().actions());
            long start = System.nanoTime();
            float[] dense = encoder.encode(prompt, prefix, random.nextInt(32)).toDense();
            INDArray q = net.output(Nd4j.create(dense, new long[]{1, inputs}));
            q.argMax(1).getInt(0);
            long took = System.nanoTime() - start;
            if (i++ >= 1_000) {
                histogram.recordValue(took);
            }
        }
        return histogram;
    }

    /** Tokens/s of {@code concurrency} requests generating at once through the batching decoder. */
    private static double throughput(VariableClient variables, Vocabulary vocabulary, ActionMasker.Mode mode, int concurrency,
                                     double seconds) throws Exception {
        try (BatchingDecoder decoder = new BatchingDecoder(variables, 64, Duration.ofMillis(1), 4_096, new SimpleMeterRegistry())) {
            EpisodeGenerator generator = new EpisodeGenerator("bench", vocabulary, new Tokenizer(),
                    new ActionMasker(mode, vocabulary, 64), decoder, 256, Clock.systemUTC(), GenerationMetrics.NONE);
            StringBuilder prompt = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                prompt.append('w').append(i * 37).append(' ');
            }
            AtomicLong tokens = new AtomicLong();
            AtomicBoolean measuring = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom();
                    while (running.get()) {
                        var result = generator.generate("p", prompt.toString(), null, Exploration.epsilonGreedy(0.1), 32, random, null);
                        if (measuring.get()) {
                            tokens.addAndGet(result.tokens().size() + 1L);
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(1_000); // warm-up
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            double rate = tokens.get() / ((System.nanoTime() - start) / 1e9);
            running.set(false);
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            return rate;
        }
    }

    /** The client's own timer of its share of a swap so far: total milliseconds and count (zeros without one). */
    private static double[] localSwapTotals(ServiceContext context) {
        io.micrometer.core.instrument.Timer timer = context.registry().find("actor.model.swap.local").timer();
        return timer == null ? new double[]{0, 0}
                : new double[]{timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS), timer.count()};
    }

    /** Publish → serving: from the start of a publish to the moment the actor's client serves that version. */
    private static Histogram swapLatency(Vocabulary vocabulary, QNetworkSpec spec, int swaps, double[] localMeanMillis)
            throws Exception {
        Histogram histogram = new Histogram(3);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), TopicLayout.defaults(), Map.of());
            try (ServiceContext context = ServiceContext.start(settings, "actor", "bench", Duration.ofSeconds(30), Duration.ofSeconds(5));
                 ModelPublisher publisher = new ModelPublisher(settings, "bench-publisher", "qnet", Optional.empty())) {
                ModelSnapshot initial = new ModelSnapshot(0, -1, vocabulary.fingerprint(), QNetworkFactory.initialWeights(spec, 2));
                try (KafkaVariableClient client = new KafkaVariableClient(context, "qnet", Optional.empty(), initial, m -> true, "any", false)
                        .start(Duration.ofSeconds(30))) {
                    QNetworkWeights weights = QNetworkFactory.initialWeights(spec, 3);
                    double[] localAtWarm = {0, 0};
                    for (int v = 1; v <= swaps + 2; v++) {
                        long start = System.nanoTime();
                        publisher.publish(new ModelSnapshot(v, v - 1, vocabulary.fingerprint(), weights), List.of(), Map.of());
                        while (client.current().version() < v) {
                            Thread.onSpinWait();
                        }
                        if (v > 2) { // the first swaps warm the path up
                            histogram.recordValue((System.nanoTime() - start) / 1_000);
                        }
                        if (v == 2) { // the warm-up swaps are left out of the local share too
                            localAtWarm = localSwapTotals(context);
                        }
                    }
                    double[] end = localSwapTotals(context);
                    localMeanMillis[0] = end[1] > localAtWarm[1] ? (end[0] - localAtWarm[0]) / (end[1] - localAtWarm[1]) : Double.NaN;
                }
            }
        }
        return histogram;
    }
}
