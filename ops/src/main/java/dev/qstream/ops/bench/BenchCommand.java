package dev.qstream.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.schemas.serde.Serdes;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Collection;
import java.util.concurrent.Callable;

/** {@code qstream bench <what>}: benchmarks that print figures measured side by side in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures (last line: JSON).",
        subcommands = {BenchCommand.Serde.class, ScorerBenchCommand.class})
public final class BenchCommand {

    /** Transition serialize + deserialize, Avro vs JSON, one thread (JMH). */
    @Command(name = "serde", mixinStandardHelpOptions = true,
            description = "Serialize + deserialize of a Transition with 64 token ids: Avro single-object vs JSON, one core (JMH).")
    static final class Serde implements Callable<Integer> {

        @Option(names = "--iterations", defaultValue = "5", description = "Measurement iterations of 2 s (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Override
        public Integer call() throws Exception {
            Options options = new OptionsBuilder()
                    .include(TransitionSerdeBenchmark.class.getName() + ".*")
                    .forks(1).threads(1)
                    .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(iterations).measurementTime(TimeValue.seconds(2))
                    .jvmArgs("-Xmx512m")
                    .build();
            Collection<RunResult> results = new Runner(options).run();
            double avro = score(results, "avroRoundTrip");
            double json = score(results, "jsonRoundTrip");
            double encode = score(results, "avroEncode");
            double decode = score(results, "avroDecode");
            int avroBytes = Serdes.TRANSITION.encode(TransitionSerdeBenchmark.sample()).length;
            int jsonBytes = TransitionSerdeBenchmark.toJson(TransitionSerdeBenchmark.sample()).length;
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("bench", "serde");
            o.put("avroRoundTripsPerSec", Math.round(avro));
            o.put("avroEncodesPerSec", Math.round(encode));
            o.put("avroDecodesPerSec", Math.round(decode));
            o.put("jsonRoundTripsPerSec", Math.round(json));
            o.put("ratioAvroVsJson", Math.round(avro / json * 100) / 100.0);
            o.put("avroBytes", avroBytes);
            o.put("jsonBytes", jsonBytes);
            System.out.println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }

        private static double score(Collection<RunResult> results, String method) {
            return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                    .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no result for " + method));
        }
    }
}
