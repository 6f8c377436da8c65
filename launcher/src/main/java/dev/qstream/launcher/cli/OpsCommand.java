package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.ProducingKafkaOptions;
import dev.qstream.console.dashboard.DashboardServer;
import dev.qstream.console.observe.LoopObserver;
import dev.qstream.console.observe.LoopSummary;
import dev.qstream.tasks.simulator.TrafficSimulator;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.launcher.options.HttpExposureOptions;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code qstream ops}: the operator's side of the loop against a cluster: serves the live dashboard (and the ops
 * process's Prometheus metrics), prints the loop's state, and optionally drives it with simulated traffic.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "Serve the live dashboard, watch the loop through its topics; optionally send simulated traffic.")
public final class OpsCommand implements Callable<Integer> {

    @Mixin
    ProducingKafkaOptions kafka;

    @Option(names = "--task", defaultValue = TaskVocabulary.BUILTIN, paramLabel = "FILE|builtin",
            description = "Task whose training prompts the simulator sends (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--rate", defaultValue = "0", description = "Simulated prompts per second; 0 = no simulated traffic (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--progress-every", defaultValue = "15s", converter = DurationConverter.class,
            description = "How often to print the loop's state (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Option(names = "--port", defaultValue = "8080",
            description = "Dashboard port (also serves /metrics); 0 picks a free one, -1 serves none (default: ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    HttpExposureOptions http;

    @Option(names = "--history", defaultValue = "30m", converter = DurationConverter.class,
            description = "How far back the dashboard reads the topics at start (default: ${DEFAULT-VALUE}).")
    Duration history;

    @Option(names = "--instance-id", defaultValue = "ops-1", description = "This ops instance's id on the metrics topic (default: ${DEFAULT-VALUE}).")
    String instanceId;


    @Option(names = "--reject-unknown-feedback",
            description = "Refuse dashboard feedback for episode ids not seen on the generations topic.")
    boolean rejectUnknownFeedback;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        KafkaSettings settings = kafka.settings();
        HttpExposure exposure = http.exposure(); // a bad token file or an open non-loopback bind fails here, before any connection
        TopicBootstrap.ensureTopics(settings, kafka.startupTimeout);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "ops-shutdown"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(stop::countDown));
        }
        if (port < -1) {
            throw new IllegalArgumentException("--port must be -1 (no dashboard), 0 (a free port) or a port number");
        }
        TrafficSimulator simulator = null;
        DashboardServer dashboard = null;
        if (port >= 0) {
            dashboard = DashboardServer.start(settings, new DashboardServer.Options(exposure, port, history,
                    Duration.ofSeconds(2), instanceId, rejectUnknownFeedback));
            System.err.println("[qstream ops] dashboard: " + dashboard.url() + " (Prometheus: " + dashboard.url() + "metrics)");
        }
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
            if (dashboard != null) {
                dashboard.close();
            }
        }
        return 0;
    }
}
