package dev.qstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.bench.loop.LoopBenchmark;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.actor.generation.ReferenceChoice;
import dev.qstream.launcher.options.DqnOptions;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.launcher.options.ReplayOptions;
import dev.qstream.launcher.options.StalenessOptions;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.scorer.reward.RewardConfig;
import dev.qstream.launcher.cli.QstreamCli;
import dev.qstream.launcher.options.CompressionConverter;
import dev.qstream.launcher.options.DecodingOptions;
import dev.qstream.launcher.options.ModelOptions;
import dev.qstream.runtime.kafka.Compression;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.learner.service.LearnerConfig;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.tasks.ValidationSplit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code qstream bench <what>}: benchmarks that print figures measured side by side in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures (last line: JSON).",
        subcommands = {BenchCommand.Serde.class, BenchCommand.Learner.class, BenchCommand.Replay.class, BenchCommand.Actor.class,
                BenchCommand.Learning.class, ScorerBenchCommand.class, BenchCommand.ProducerCompression.class,
                BenchCommand.Loop.class})
public final class BenchCommand {

    /** {@code ./qstream bench ...} runs this main on the launcher's class path plus the bench jar and JMH. */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BenchCommand()).setCommandName("qstream bench");
        System.exit(QstreamCli.withErrorHandling(cli).execute(args));
    }

    /** The whole loop at rising prompt rates: where it stops keeping up, and which stage first (docs/BENCHMARKS.md). */
    @Command(name = "loop", mixinStandardHelpOptions = true,
            description = "Run up's stack (broker, actors, scorer, learner, evaluator in their own JVMs) at rising prompt rates; "
                    + "per rate: transitions produced and scored/s, scorer lag, learner samples/s and samples-per-insert, "
                    + "actor p99 per token, publish->serve; then the highest sustainable rate and the stage that saturates first "
                    + "(one JSON line per rate, a summary line last).")
    static final class Loop implements Callable<Integer> {

        @Option(names = "--rates", defaultValue = "25,50,100,200,400", split = ",",
                description = "Prompt rates to step through, in order (default: ${DEFAULT-VALUE}).")
        List<Double> rates;

        @Option(names = "--seconds-per-rate", defaultValue = "40", description = "Seconds at each rate (default: ${DEFAULT-VALUE}).")
        int secondsPerRate;

        @Option(names = "--settle-seconds", description = "Seconds at the start of each rate left out of its figures (default: a quarter of --seconds-per-rate).")
        Integer settleSeconds;

        @Option(names = "--task", defaultValue = "builtin", paramLabel = "FILE|builtin",
                description = "Task the stack runs, as up's --task; builtin = the data-to-text task (default: ${DEFAULT-VALUE}).")
        String task;

        @Option(names = "--actors", defaultValue = "1", description = "Actor JVMs, as up's --actors (default: ${DEFAULT-VALUE}).")
        int actors;

        @Option(names = "--keep-going", description = "Run every rate even after one did not keep up (default: stop there).")
        boolean keepGoing;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "The stack's logs and data (default: .qstream/bench-loop-<time>).")
        java.nio.file.Path dataDir;

        @Option(names = "--warm-up-limit-seconds", defaultValue = "240",
                description = "Give up when the loop has not scored and served a learned version by then (default: ${DEFAULT-VALUE}).")
        int warmUpLimitSeconds;

        @Override
        public Integer call() throws Exception {
            if (rates.isEmpty() || rates.stream().anyMatch(r -> !(r > 0))) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--rates must be positive prompts/s");
            }
            int settle = settleSeconds != null ? settleSeconds : secondsPerRate / 4;
            int tail = 3;
            if (secondsPerRate - settle - tail < 15) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--seconds-per-rate must leave at least 15 s after the settling start and a 3 s tail (metrics come every 5 s)");
            }
            java.nio.file.Path dir = dataDir != null ? dataDir : java.nio.file.Path.of(".qstream", "bench-loop-"
                    + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            LoopBenchmark.Plan plan = new LoopBenchmark.Plan(rates, java.time.Duration.ofSeconds(secondsPerRate),
                    java.time.Duration.ofSeconds(settle), java.time.Duration.ofSeconds(tail), task, actors, keepGoing,
                    dir.toAbsolutePath(), java.time.Duration.ofSeconds(warmUpLimitSeconds));
            return new LoopBenchmark(plan, line -> {
                System.out.println(line);
                System.out.flush();
            }).run();
        }
    }

    /** Producer throughput and bytes on the broker for each compression.type (docs/BENCHMARKS.md). */
    @Command(name = "compression", mixinStandardHelpOptions = true,
            description = "Records/s of a qstream producer and bytes on the (embedded) broker per compression.type, "
                    + "for actor transitions (last line: JSON).")
    static final class ProducerCompression implements Callable<Integer> {

        @Option(names = "--episodes", defaultValue = "20000", description = "Episodes of transitions sent per codec (default: ${DEFAULT-VALUE}).")
        int episodes;

        @Option(names = "--steps", defaultValue = "16", description = "Steps per episode (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--rounds", defaultValue = "2", description = "Times every codec is measured, in turn (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--codecs", defaultValue = "none,lz4,zstd,snappy,gzip", split = ",",
                converter = CompressionConverter.class,
                description = "Codecs to measure (default: ${DEFAULT-VALUE}).")
        List<Compression> codecs;

        @Override
        public Integer call() throws Exception {
            List<ProducerCompressionBench.Result> results = new ProducerCompressionBench(episodes, steps, rounds, codecs).run();
            ObjectMapper json = new ObjectMapper();
            ObjectNode o = json.createObjectNode();
            o.put("bench", "compression");
            o.put("records", results.get(0).records());
            o.put("meanRecordBytes", results.get(0).rawBytes() / results.get(0).records());
            ProducerCompressionBench.Result none = best(results, Compression.NONE);
            for (Compression c : codecs) {
                ProducerCompressionBench.Result r = best(results, c);
                ObjectNode codec = o.putObject(c.configValue());
                codec.put("recordsPerSec", Math.round(r.recordsPerSec()));
                codec.put("bytesOnBroker", r.bytesOnBroker());
                if (none != null) {
                    codec.put("throughputVsNone", Math.round(r.recordsPerSec() / none.recordsPerSec() * 100) / 100.0);
                    codec.put("bytesVsNone", Math.round((double) r.bytesOnBroker() / none.bytesOnBroker() * 1000) / 1000.0);
                }
            }
            System.out.println(json.writeValueAsString(o));
            return 0;
        }

        /** The fastest round of a codec (the others lost time to this machine, not to the codec). */
        private static ProducerCompressionBench.Result best(List<ProducerCompressionBench.Result> results,
                                                            Compression codec) {
            return results.stream().filter(r -> r.compression() == codec)
                    .max(Comparator.comparingDouble(ProducerCompressionBench.Result::recordsPerSec)).orElse(null);
        }
    }

    /** The learner's update vs DL4J fit vs the sgemm roofline, reference shape. */
    @Command(name = "learner", mixinStandardHelpOptions = true,
            description = "Samples/s of the learner's DQN update vs DL4J fit on the same batches (100 -> 256 -> 10,000), and sgemm GFLOP/s.")
    static final class Learner implements Callable<Integer> {

        @Option(names = "--batch", defaultValue = "256", split = ",", description = "Batch sizes to measure (default: ${DEFAULT-VALUE}).")
        int[] batches;

        @Option(names = "--seconds", defaultValue = "10", description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--task", paramLabel = "FILE|builtin", description = "Also measure (first) the shape up runs for this task: its vocabulary, copy actions and masks.")
        String task;

        @Override
        public Integer call() throws Exception {
            ObjectMapper json = new ObjectMapper();
            String last = null;
            if (task != null) {
                TaskShape shape = TaskShape.of(task, 400, 7);
                for (int b : batches) {
                    LearnerBenchmark.TaskResult r = LearnerBenchmark.runTask(shape, b, seconds);
                    ObjectNode o = json.createObjectNode();
                    o.put("bench", "learner");
                    o.put("shape", r.shape());
                    o.put("batch", r.batch());
                    o.put("meanMask", Math.round(r.meanMask() * 10) / 10.0);
                    o.put("samplesPerSec", Math.round(r.samplesPerSec()));
                    o.put("dl4jFitSamplesPerSec", Math.round(r.dl4jFitSamplesPerSec()));
                    o.put("ratioVsDl4jFit", Math.round(r.ratio() * 100) / 100.0);
                    System.out.println(json.writeValueAsString(o));
                }
            }
            for (int b : batches) {
                LearnerBenchmark.Result r = LearnerBenchmark.run(b, seconds);
                ObjectNode o = json.createObjectNode();
                o.put("bench", "learner");
                o.put("batch", r.batch());
                o.put("samplesPerSec", Math.round(r.samplesPerSec()));
                o.put("dl4jFitSamplesPerSec", Math.round(r.dl4jFitSamplesPerSec()));
                o.put("ratioVsDl4jFit", Math.round(r.ratio() * 100) / 100.0);
                o.put("sgemmGflops", Math.round(r.sgemmGflops() * 10) / 10.0);
                o.put("maskedSamplesPerSec", Math.round(r.maskedSamplesPerSec()));
                o.put("ratioMaskedVsDl4jFit", Math.round(r.maskedRatio() * 100) / 100.0);
                last = json.writeValueAsString(o);
                System.out.println(last);
            }
            return 0;
        }
    }

    /** Actor latency, throughput and swap latency on the reference model. */
    @Command(name = "actor", mixinStandardHelpOptions = true,
            description = "Per-token latency (masked, unmasked, DL4J baseline), tokens/s at 1/8/64 concurrent requests, publish->serving swap latency (10 MB model).")
    static final class Actor implements Callable<Integer> {

        @Option(names = "--seconds", defaultValue = "5", description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--swaps", defaultValue = "30", description = "Model versions published for the swap latency (default: ${DEFAULT-VALUE}).")
        int swaps;

        @Option(names = "--task", paramLabel = "FILE|builtin", description = "Also measure (first) the per-token latency at the shape up runs for this task.")
        String task;

        @Override
        public Integer call() throws Exception {
            if (task != null) {
                ActorBenchmark.TaskResult t = ActorBenchmark.runTask(TaskShape.of(task, 400, 7), seconds);
                ObjectNode o = new ObjectMapper().createObjectNode();
                o.put("bench", "actor");
                o.put("shape", t.shape());
                o.put("meanMask", Math.round(t.meanMask() * 10) / 10.0);
                o.put("decisionP50Micros", micros(t.decisions().getValueAtPercentile(50)));
                o.put("decisionP99Micros", micros(t.decisions().getValueAtPercentile(99)));
                o.put("dl4jP50Micros", micros(t.dl4j().getValueAtPercentile(50)));
                o.put("dl4jP99Micros", micros(t.dl4j().getValueAtPercentile(99)));
                System.out.println(new ObjectMapper().writeValueAsString(o));
            }
            ActorBenchmark.Result r = ActorBenchmark.run(seconds, swaps);
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("bench", "actor");
            o.put("maskedP50Micros", micros(r.masked().getValueAtPercentile(50)));
            o.put("maskedP99Micros", micros(r.masked().getValueAtPercentile(99)));
            o.put("unmaskedP50Micros", micros(r.unmasked().getValueAtPercentile(50)));
            o.put("unmaskedP99Micros", micros(r.unmasked().getValueAtPercentile(99)));
            o.put("dl4jP50Micros", micros(r.dl4j().getValueAtPercentile(50)));
            o.put("dl4jP99Micros", micros(r.dl4j().getValueAtPercentile(99)));
            o.put("tokensPerSec1", Math.round(r.maskedTokensPerSec().get(1)));
            o.put("tokensPerSec8", Math.round(r.maskedTokensPerSec().get(8)));
            o.put("tokensPerSec64", Math.round(r.maskedTokensPerSec().get(64)));
            o.put("unmaskedTokensPerSec1", Math.round(r.unmaskedTokensPerSec().get(1)));
            o.put("unmaskedTokensPerSec8", Math.round(r.unmaskedTokensPerSec().get(8)));
            o.put("unmaskedTokensPerSec64", Math.round(r.unmaskedTokensPerSec().get(64)));
            o.put("swapP50Millis", r.swapMillis().getValueAtPercentile(50) / 1000.0);
            o.put("swapP99Millis", r.swapMillis().getValueAtPercentile(99) / 1000.0);
            if (Double.isFinite(r.swapLocalMeanMillis())) {
                o.put("swapLocalMeanMillis", Math.round(r.swapLocalMeanMillis() * 100) / 100.0);
            }
            System.out.println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }

        private static double micros(long nanos) {
            return Math.round(nanos / 100.0) / 10.0;
        }
    }

    /** The learning loop without Kafka, for tuning runs. */
    @Command(name = "learning", mixinStandardHelpOptions = true,
            description = "Run actor + reward + learner in one process (no Kafka) and print the held-out curve: fast, repeatable tuning.")
    static final class Learning implements Callable<Integer> {
        @Mixin
        DqnOptions dqnOptions;
        @Mixin
        ReplayOptions replayOptions;
        @Mixin
        StalenessOptions staleness;
        @Mixin
        DecodingOptions decoding;
        @Mixin
        ModelOptions model;
        @Option(names = "--task", defaultValue = "builtin", description = "Task file, or builtin; builtin = the data-to-text task (default: ${DEFAULT-VALUE}).")
        String task;
        @Option(names = "--updates", defaultValue = "6000", description = "Learner updates to run (default: ${DEFAULT-VALUE}).")
        int updates;
        @Option(names = "--eval-every", defaultValue = "500", description = "Updates between held-out evaluations (default: ${DEFAULT-VALUE}).")
        int evalEvery;
        @Option(names = "--publish-every", defaultValue = "100", description = "Updates between handing weights to the actor (default: ${DEFAULT-VALUE}).")
        int publishEvery;
        @Option(names = "--samples-per-insert", description = "Sampled/inserted ratio the learner keeps to; the learner's default (default: ${DEFAULT-VALUE}).")
        double spi = LearnerConfig.DEFAULT_SAMPLES_PER_INSERT;
        @Option(names = "--epsilon-start", defaultValue = "0.5", description = "Exploration at the first episode (default: ${DEFAULT-VALUE}).")
        double epsStart;
        @Option(names = "--epsilon-end", defaultValue = "0.05", description = "Exploration after the decay (default: ${DEFAULT-VALUE}).")
        double epsEnd;
        @Option(names = "--epsilon-decay-episodes", defaultValue = "2000", description = "Episodes over which epsilon decays linearly (default: ${DEFAULT-VALUE}).")
        long epsDecay;
        @Option(names = "--metric", defaultValue = "ROUGE_L", description = "Reward metric: ROUGE_L, ROUGE_1, ROUGE_2 (default: ${DEFAULT-VALUE}).")
        RewardConfig.Metric metric;
        @Option(names = "--shaping", defaultValue = "DELTA", description = "DELTA (metric gain per step) or TERMINAL (default: ${DEFAULT-VALUE}).")
        RewardConfig.Shaping shaping;
        @Option(names = "--length-penalty", defaultValue = "0", description = "Penalty per word beyond the free ones (default: ${DEFAULT-VALUE}).")
        double lengthPenalty;
        @Option(names = "--length-free-tokens", defaultValue = "64", description = "Words before the length penalty starts (default: ${DEFAULT-VALUE}).")
        int lengthFree;
        @Option(names = "--seed", defaultValue = "1", description = "Seed of traffic, exploration and initialisation (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--demonstration-fraction", description = "Share of prompts that also yield a demonstration teacher-forced from a train reference; the actor's default (default: ${DEFAULT-VALUE}).")
        double demonstrations = ActorConfig.DEFAULT_DEMONSTRATION_FRACTION;
        @Option(names = "--reference-choice", defaultValue = "CENTRAL", description = "Which reference a demonstration says: RANDOM or CENTRAL (default: ${DEFAULT-VALUE}).")
        ReferenceChoice referenceChoice;
        @Option(names = "--measure-on", defaultValue = "VALIDATION", description = "VALIDATION: a split carved from the train lines, for picking settings; EVAL: the task's eval lines, for reporting only (default: ${DEFAULT-VALUE}).")
        MeasureOn measureOn;
        @Option(names = "--validation-fraction", defaultValue = "0.1", description = "Share of train lines held out as the validation split (default: ${DEFAULT-VALUE}).")
        double validationFraction;

        /** Where the curve is measured: never pick settings on the split you report. */
        enum MeasureOn { VALIDATION, EVAL }

        @Override
        public Integer call() throws Exception {
            List<TaskPrompt> loaded = TaskVocabulary.load(task);
            // Validation: train on the other train lines, measure on the carved ones; the eval lines are not loaded.
            List<TaskPrompt> prompts = measureOn == MeasureOn.VALIDATION
                    ? ValidationSplit.carve(loaded, validationFraction, ValidationSplit.DEFAULT_SEED) : loaded;
            System.out.printf("measuring on %s: %d train, %d measured prompts%n", measureOn,
                    prompts.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).count(),
                    prompts.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).count());
            var dqn = dqnOptions.config();
            var replay = replayOptions.config();
            var reward = new RewardConfig(metric, false, 1.0, 0.0, 0.0, 0.0, lengthFree, lengthPenalty, 0.0, shaping);
            var settings = new LearningHarness.Settings(prompts, updates, evalEvery, publishEvery, spi, dqn, replay,
                    decoding.mask, decoding.commonWords(Optional.of(prompts), TaskVocabulary.of(prompts)),
                    new EpsilonSchedule(epsStart, epsEnd, epsDecay), decoding.maxTokens, reward, seed, demonstrations, referenceChoice, model.identity(),
                    staleness.bound());
            var curve = LearningHarness.run(settings, System.out::println);
            var last = curve.get(curve.size() - 1);
            System.out.printf("{\"bench\":\"learning\",\"measuredOn\":\"%s\",\"heldOutRougeLFirst\":%.4f,\"heldOutRougeLLast\":%.4f,\"best\":%.4f}%n",
                    measureOn, curve.get(0).rougeL(), last.rougeL(), curve.stream().mapToDouble(EvalResult::rougeL).max().orElse(0));
            return 0;
        }
    }

    /** Learner memory with a full replay. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Fill replay with N realistic transitions, train on it, report the process RSS (run it with the learner's -Xmx).")
    static final class Replay implements Callable<Integer> {

        @Option(names = "--transitions", defaultValue = "1000000", description = "Transitions in replay (default: ${DEFAULT-VALUE}).")
        int transitions;

        @Option(names = "--vocabulary", defaultValue = "10000", description = "Vocabulary size / actions (default: ${DEFAULT-VALUE}).")
        int vocabulary;

        @Override
        public Integer call() throws Exception {
            ReplayMemoryBenchmark.Result r = ReplayMemoryBenchmark.run(transitions, vocabulary);
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("bench", "replay");
            o.put("transitions", r.transitions());
            o.put("rssMiB", r.rssBytes() / (1024 * 1024));
            o.put("heapUsedMiB", r.heapUsedBytes() / (1024 * 1024));
            o.put("replayEstimateMiB", r.replayBytesEstimate() / (1024 * 1024));
            o.put("bytesPerTransition", r.replayBytesEstimate() / Math.max(1, r.transitions()));
            o.put("samplesPerSecWhileFull", Math.round(r.samplesPerSec()));
            o.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
            System.out.println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }
    }

    /** Transition serialize + deserialize, Avro vs JSON, one thread (JMH). */
    @Command(name = "serde", mixinStandardHelpOptions = true,
            description = "Serialize + deserialize of a Transition with 64 token ids: Avro single-object vs JSON, one core (JMH).")
    static final class Serde implements Callable<Integer> {

        @Option(names = "--iterations", defaultValue = "5", description = "Measurement iterations of 2 s (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Override
        public Integer call() throws Exception {
            JmhRun run = JmhRun.of(TransitionSerdeBenchmark.class, iterations);
            double avro = run.score("avroRoundTrip");
            double json = run.score("jsonRoundTrip");
            double encode = run.score("avroEncode");
            double decode = run.score("avroDecode");
            double decodeAvrosReader = run.score("avroDecodeWithAvrosReader");
            int avroBytes = Serdes.TRANSITION.encode(TransitionSerdeBenchmark.sample()).length;
            int jsonBytes = TransitionSerdeBenchmark.toJson(TransitionSerdeBenchmark.sample()).length;
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("bench", "serde");
            o.put("avroRoundTripsPerSec", Math.round(avro));
            o.put("avroEncodesPerSec", Math.round(encode));
            o.put("avroDecodesPerSec", Math.round(decode));
            o.put("avrosOwnReaderDecodesPerSec", Math.round(decodeAvrosReader));
            o.put("ratioDecodeVsAvrosReader", Math.round(decode / decodeAvrosReader * 100) / 100.0);
            o.put("jsonRoundTripsPerSec", Math.round(json));
            o.put("ratioAvroVsJson", Math.round(avro / json * 100) / 100.0);
            o.put("avroBytes", avroBytes);
            o.put("jsonBytes", jsonBytes);
            System.out.println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }
    }
}
