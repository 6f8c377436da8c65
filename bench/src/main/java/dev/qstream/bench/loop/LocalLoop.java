package dev.qstream.bench.loop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./qstream up --rate 0} in a JVM of its own: the very stack {@code up} runs (embedded broker, scorer,
 * learner, actors and evaluator each in their own JVM, with {@code up}'s defaults, plus its simulated rater), minus
 * the traffic, which {@code bench loop} sends itself at the rates it steps through. Measuring this process tree
 * rather than services started in the bench's JVM keeps the figure on the layout users run.
 */
final class LocalLoop implements AutoCloseable {

    private static final String MAIN = "dev.qstream.launcher.cli.QstreamCli";
    private static final String BROKER_READY = "[qstream up] broker ready at ";
    private static final String LOOP_RUNNING = "[qstream up] loop running";

    private final Process process;
    private final Path log;

    private LocalLoop(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code up} with no simulated traffic and no dashboard.
     *
     * @param upOptions further {@code up} options ({@code --task}, {@code --actors}, ...)
     */
    static LocalLoop start(Path dataDir, List<String> upOptions) throws IOException {
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("up.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), MAIN,
                "up", "--rate", "0", "--dashboard-port", "-1", "--progress-every", "1h",
                "--data-dir", dataDir.toString()));
        command.addAll(upOptions);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new LocalLoop(process, log);
    }

    /** Waits until {@code up} says its broker is ready; returns the bootstrap servers. */
    String awaitBroker(Duration timeout) throws IOException, InterruptedException {
        return awaitLine(BROKER_READY, timeout).strip();
    }

    /** Waits until {@code up} has started every service. */
    void awaitRunning(Duration timeout) throws IOException, InterruptedException {
        awaitLine(LOOP_RUNNING, timeout);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    private String awaitLine(String prefix, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
            if (!process.isAlive()) {
                throw new IOException("up exited with code " + process.exitValue() + " before it was ready; see " + log);
            }
            Thread.sleep(200);
        }
        throw new IOException("up was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    /** SIGTERM: {@code up} stops its services in order and the broker last, as on Ctrl-C. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
    }
}
