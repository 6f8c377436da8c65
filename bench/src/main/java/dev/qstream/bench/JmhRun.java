package dev.qstream.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

/** The one JMH setting every micro-benchmark here uses (1 fork, 1 thread, 3 × 1 s warm-up, N × 2 s), and its scores. */
final class JmhRun {

    private final Collection<RunResult> results;

    private JmhRun(Collection<RunResult> results) {
        this.results = results;
    }

    /** Runs every benchmark method of the class. */
    static JmhRun of(Class<?> benchmark, int iterations) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(benchmark.getName() + ".*")
                .forks(1).threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2))
                .jvmArgs("-Xmx512m")
                .build();
        return new JmhRun(new Runner(options).run());
    }

    /** Operations per second of one benchmark method. */
    double score(String method) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + method));
    }
}
