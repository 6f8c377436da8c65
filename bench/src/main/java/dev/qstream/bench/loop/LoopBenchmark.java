package dev.qstream.bench.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.tasks.simulator.TrafficSimulator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole loop's capacity on this machine: {@code up}'s stack ({@link LocalLoop}) fed prompts at rising rates,
 * each step measured off the topics ({@link LoopMeter}) over its window (the step minus a settling start and a
 * short tail) and judged ({@link Saturation}). Prints one JSON line per step and a summary line last.
 */
public final class LoopBenchmark {

    /** How to run: rates in order, seconds per rate, what to cut from each end of a step, the stack's options. */
    public record Plan(List<Double> rates, Duration perRate, Duration settle, Duration tail, String task, int actors,
                       boolean keepGoing, Path dataDir, Duration warmUpLimit) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(20);

    private final Plan plan;
    private final Saturation saturation = new Saturation(Saturation.Thresholds.defaults());
    private final Consumer<String> out;

    public LoopBenchmark(Plan plan, Consumer<String> out) {
        this.plan = plan;
        this.out = out;
    }

    public int run() throws Exception {
        List<TaskPrompt> task = TaskVocabulary.load(plan.task());
        List<TaskPrompt> train = task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
        String taskName = plan.task().equals(TaskVocabulary.BUILTIN) ? DataToTextTask.NAME : Path.of(plan.task()).getFileName().toString();
        List<String> upOptions = new ArrayList<>(List.of("--actors", String.valueOf(plan.actors())));
        if (!plan.task().equals(TaskVocabulary.BUILTIN)) {
            upOptions.addAll(List.of("--task", Path.of(plan.task()).toAbsolutePath().toString()));
        }
        int batch = DqnConfig.defaults().batchSize(); // up runs the learner with its defaults
        say("starting the stack (./qstream up --rate 0 %s); its log: %s", String.join(" ", upOptions), plan.dataDir().resolve("up.log"));
        try (LocalLoop loop = LocalLoop.start(plan.dataDir(), upOptions)) {
            Thread stopOnExit = new Thread(() -> {
                try {
                    loop.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-loop-stop");
            Runtime.getRuntime().addShutdownHook(stopOnExit);
            String bootstrap = loop.awaitBroker(Duration.ofSeconds(120));
            loop.awaitRunning(Duration.ofSeconds(180));
            KafkaSettings settings = new KafkaSettings(bootstrap, TopicLayout.defaults(), Map.of());
            try (LoopMeter meter = new LoopMeter(settings).start()) {
                warmUp(settings, meter, train, taskName, loop);
                List<StepFigures> steps = new ArrayList<>();
                List<List<Saturation.Finding>> findings = new ArrayList<>();
                for (int i = 0; i < plan.rates().size(); i++) {
                    double rate = plan.rates().get(i);
                    StepFigures f = step(settings, meter, train, taskName, rate, i, batch, loop);
                    List<Saturation.Finding> found = saturation.judge(f);
                    steps.add(f);
                    findings.add(found);
                    out.accept(stepJson(f, found));
                    if (!found.isEmpty() && !plan.keepGoing()) {
                        say("rate %.0f did not keep up (%s); stopping here (--keep-going runs the remaining rates)",
                                rate, found.get(0).reason());
                        break;
                    }
                }
                out.accept(summaryJson(steps, findings, batch));
            } finally {
                say("stopping the stack");
                loop.close();
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            }
        }
        return 0;
    }

    /** Traffic at the first rate until the loop has scored something and every actor serves a learned version. */
    private void warmUp(KafkaSettings settings, LoopMeter meter, List<TaskPrompt> train, String taskName, LocalLoop loop)
            throws InterruptedException {
        double rate = plan.rates().get(0);
        say("warming up at %.0f prompts/s: until transitions are scored and every actor serves a learned version", rate);
        long start = System.nanoTime();
        try (TrafficSimulator traffic = new TrafficSimulator(settings, taskName, train, rate, 1).start()) {
            while (System.nanoTime() - start < plan.warmUpLimit().toNanos()) {
                checkAlive(loop);
                Map<String, Long> served = meter.servedVersions();
                if (meter.scoredSoFar() > 0 && served.size() >= plan.actors()
                        && served.values().stream().allMatch(v -> v >= 1)) {
                    say("warm after %d s", (System.nanoTime() - start) / 1_000_000_000L);
                    return;
                }
                Thread.sleep(1_000);
            }
        }
        throw new IllegalStateException("the loop did not warm up within " + plan.warmUpLimit().toSeconds() + " s; see " + loop.log());
    }

    /** One rate for {@code perRate}; the figures of its window. */
    private StepFigures step(KafkaSettings settings, LoopMeter meter, List<TaskPrompt> train, String taskName, double rate,
                             int index, int batch, LocalLoop loop) throws InterruptedException {
        say("rate %.0f prompts/s for %d s", rate, plan.perRate().toSeconds());
        long start = System.currentTimeMillis();
        long end = start + plan.perRate().toMillis();
        long windowEnd = end - plan.tail().toMillis();
        try (TrafficSimulator traffic = new TrafficSimulator(settings, taskName, train, rate, 2 + index).start()) {
            while (System.currentTimeMillis() < end) {
                checkAlive(loop);
                Thread.sleep(Math.min(1_000, Math.max(1, end - System.currentTimeMillis())));
            }
            // The meter reads behind the topics' heads: at the same rate still, let it read what is on them now,
            // which holds every record of the window (the tail covers the scorer's transaction commits).
            if (!meter.readToEnd(CATCH_UP_LIMIT)) {
                say("the meter did not read to the topics' ends within %d s: this step's counts may be short",
                        CATCH_UP_LIMIT.toSeconds());
            }
        }
        return meter.figures(rate, start + plan.settle().toMillis(), windowEnd, batch);
    }

    private static void checkAlive(LocalLoop loop) {
        if (!loop.isAlive()) {
            throw new IllegalStateException("up exited during the benchmark; see " + loop.log());
        }
    }

    static String stepJson(StepFigures f, List<Saturation.Finding> found) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("bench", "loop");
        o.put("rate", f.rate());
        put(o, "promptsPerSec", f.promptsPerSec(), 1);
        put(o, "answeredPerSec", f.answeredPerSec(), 1);
        put(o, "transitionsPerSec", f.transitionsPerSec(), 0);
        put(o, "scoredPerSec", f.scoredPerSec(), 0);
        put(o, "transitionsDuePerSec", f.transitionsDuePerSec(), 0);
        put(o, "scorerLagP50Seconds", f.scorerLagP50Seconds(), 2);
        put(o, "scorerLagP99Seconds", f.scorerLagP99Seconds(), 2);
        put(o, "scorerLagGrowthSeconds", f.scorerLagGrowthSeconds(), 2);
        put(o, "actorLagP99Seconds", f.actorLagP99Seconds(), 2);
        put(o, "actorLagGrowthSeconds", f.actorLagGrowthSeconds(), 2);
        put(o, "actorTokenP50Micros", f.actorTokenP50Micros(), 0);
        put(o, "actorTokenP99Micros", f.actorTokenP99Micros(), 0);
        put(o, "keepShareMin", f.keepShareMin(), 2);
        put(o, "learnerSamplesPerSec", f.learnerSamplesPerSec(), 0);
        put(o, "learnerInsertsPerSec", f.learnerInsertsPerSec(), 0);
        put(o, "samplesPerInsert", f.samplesPerInsert(), 2);
        put(o, "learnerPausedShare", f.learnerPausedShare(), 2);
        put(o, "swaps", f.swaps(), 0);
        put(o, "publishToServeP50Millis", f.publishToServeP50Millis(), 0);
        put(o, "publishToServeP99Millis", f.publishToServeP99Millis(), 0);
        o.put("sustainable", found.isEmpty());
        if (!found.isEmpty()) {
            ArrayNode saturated = o.putArray("saturated");
            for (Saturation.Finding s : found) {
                saturated.addObject().put("stage", s.stage().name().toLowerCase()).put("reason", s.reason());
            }
        }
        return JSON.writeValueAsString(o);
    }

    String summaryJson(List<StepFigures> steps, List<List<Saturation.Finding>> findings, int batch) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("bench", "loop");
        o.put("summary", true);
        o.put("task", plan.task());
        o.put("actors", plan.actors());
        o.put("secondsPerRate", plan.perRate().toSeconds());
        o.put("layout", "up's child JVMs (broker, scorer, learner, actors, evaluator)");
        o.put("learnerBatch", batch);
        double best = Saturation.highestSustainable(steps, findings);
        put(o, "highestSustainableRate", best, 1);
        for (int i = 0; i < steps.size(); i++) {
            if (!findings.get(i).isEmpty()) {
                Saturation.Finding first = findings.get(i).get(0);
                o.put("firstUnsustainableRate", steps.get(i).rate());
                o.put("firstSaturated", first.stage().name().toLowerCase());
                o.put("reason", first.reason());
                break;
            }
        }
        return JSON.writeValueAsString(o);
    }

    private static void put(ObjectNode o, String field, double value, int decimals) {
        if (Double.isFinite(value)) {
            double scale = Math.pow(10, decimals);
            o.put(field, Math.round(value * scale) / scale);
        } else {
            o.putNull(field);
        }
    }

    private static void say(String format, Object... args) {
        System.err.println("[bench loop] " + String.format(format, args));
    }
}
