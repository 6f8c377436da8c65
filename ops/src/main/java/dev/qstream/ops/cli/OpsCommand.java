package dev.qstream.ops.cli;

import dev.qstream.ops.observe.LoopObserver;
import dev.qstream.ops.observe.LoopSummary;
import dev.qstream.ops.simulator.TrafficSimulator;
import dev.qstream.ops.task.TaskPrompt;
import dev.qstream.ops.task.TaskVocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code qstream ops}: the operator's side of the loop against a cluster: watches the topics and prints the loop's
 * state, and optionally drives it with simulated traffic from a task.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "Watch the loop through its topics; optionally send simulated traffic from a task.")
public final class OpsCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--task", defaultValue = TaskVocabulary.BUILTIN, paramLabel = "FILE|builtin",
            description = "Task whose training prompts the simulator sends (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--rate", defaultValue = "0", description = "Simulated prompts per second; 0 = no simulated traffic (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--progress-every", defaultValue = "15s", converter = DurationConverter.class,
            description = "How often to print the loop's state (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        KafkaSettings settings = kafka.settings();
        TopicBootstrap.ensureTopics(settings, kafka.startupTimeout);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "ops-shutdown"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(stop::countDown));
        }
        TrafficSimulator simulator = null;
        if (rate > 0) {
            List<TaskPrompt> train = TaskVocabulary.load(task).stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
            simulator = new TrafficSimulator(settings, task, train, rate, System.nanoTime()).start();
        }
        try (LoopObserver observer = new LoopObserver(settings).start()) {
            while (!stop.await(progressEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                LoopSummary s = observer.summary();
                System.err.printf("[qstream ops] episodes=%d transitions=%d scored=%d updates=%d published=v%d served=%s deadLetters=%d%n",
                        s.episodes(), s.transitions(), s.scoredTransitions(), s.learnerUpdates(), s.modelVersionPublished(),
                        s.modelVersionsServed(), s.deadLetters());
            }
        } finally {
            if (simulator != null) {
                simulator.close();
            }
        }
        return 0;
    }
}
