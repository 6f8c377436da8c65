package dev.qstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code qstream bench scorer}: (a) ROUGE-L F on 50-token pairs, one thread (JMH); (b) the scorer topology on the
 * embedded broker with exactly-once next to a plain exactly-once pass-through, in turns in the same run (each side's
 * best round is its figure); (c) optionally both again with more stream threads. Last line: JSON.
 */
@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = "ROUGE-L F on 50-token pairs on one core (JMH), then the scorer topology on the embedded broker "
                + "with EOS next to an EOS pass-through topology, in turns, optionally with more stream threads (last line: JSON).")
public final class ScorerBenchCommand implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "5", description = "JMH measurement iterations of 2 s (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--episodes", defaultValue = "10000", description = "Episodes written to the transitions topic (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--steps", defaultValue = "20", description = "Steps per episode (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threads", defaultValue = "1", description = "Kafka Streams threads of each topology (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--rounds", defaultValue = "3", description = "Pass-through and scorer run in turns this many times; the figures are each side's best round (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--scale-threads", split = ",", description = "After the rounds, run both once more with each of these stream-thread counts (e.g. 1,2,4; the input has 4 partitions).")
    List<Integer> scaleThreads = new ArrayList<>();

    @Option(names = "--thread-metrics", description = "Print Kafka Streams' stream-thread metrics (time ratios, latencies) of each topology.")
    boolean threadMetrics;

    @Option(names = "--skip-rouge", description = "Only the topology part.")
    boolean skipRouge;

    @Option(names = "--skip-topology", description = "Only the ROUGE part.")
    boolean skipTopology;

    @Override
    public Integer call() throws Exception {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("bench", "scorer");
        if (!skipRouge) {
            JmhRun run = JmhRun.of(RougeLBenchmark.class, iterations);
            o.put("rougeLPairsPerSec", Math.round(run.score("rougeLF")));
            o.put("rougeLStemmedPairsPerSec", Math.round(run.score("rougeLFStemmed")));
            o.put("rougeAllFourPairsPerSec", Math.round(run.score("rougeAllFour")));
            o.put("tokensPerText", RougeLBenchmark.TOKENS);
        }
        if (!skipTopology) {
            ScorerTopologyBench.Results r = new ScorerTopologyBench(episodes, steps, threads, rounds, scaleThreads,
                    threadMetrics).run();
            double pass = r.bestPassThrough().perSecond();
            double scored = r.bestScorer().perSecond();
            o.put("passThroughRecordsPerSec", Math.round(pass));
            o.put("scoredTransitionsPerSec", Math.round(scored));
            o.put("ratioScorerVsPassThrough", Math.round(scored / pass * 100) / 100.0);
            ArrayNode perRound = o.putArray("ratioPerRound");
            for (int i = 0; i < r.scorer().size(); i++) {
                perRound.add(Math.round(r.scorer().get(i).perSecond() / r.passThrough().get(i).perSecond() * 100) / 100.0);
            }
            double steadyPass = r.bestSteadyPassThrough();
            double steadyScored = r.bestSteadyScorer();
            o.put("steadyPassThroughRecordsPerSec", Math.round(steadyPass));
            o.put("steadyScoredTransitionsPerSec", Math.round(steadyScored));
            o.put("steadyRatioScorerVsPassThrough", Math.round(steadyScored / steadyPass * 100) / 100.0);
            o.put("rounds", rounds);
            o.put("transitions", r.input());
            o.put("stepsPerEpisode", steps);
            o.put("streamThreads", threads);
            if (!scaleThreads.isEmpty()) {
                ArrayNode counts = o.putArray("scaleThreads");
                ArrayNode passes = o.putArray("scalePassThroughRecordsPerSec");
                ArrayNode scorers = o.putArray("scaleScoredTransitionsPerSec");
                for (int i = 0; i < scaleThreads.size(); i++) {
                    counts.add(scaleThreads.get(i));
                    passes.add(Math.round(r.scalePassThrough().get(i).perSecond()));
                    scorers.add(Math.round(r.scaleScorer().get(i).perSecond()));
                }
                ArrayNode steadyScorers = o.putArray("scaleSteadyScoredTransitionsPerSec");
                r.scaleScorer().forEach(x -> steadyScorers.add(Math.round(x.steadyPerSecond())));
            }
        }
        System.out.println(new ObjectMapper().writeValueAsString(o));
        return 0;
    }
}
