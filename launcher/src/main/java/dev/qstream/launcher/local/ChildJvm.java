package dev.qstream.launcher.local;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A qstream service running in its own JVM, started by {@code up} with the same class path. Each service gets its
 * own heap (learner GC pauses never stall the broker) and its output goes to a log file. Children run in their own
 * session so that Ctrl-C reaches only {@code up}, which then stops them in order; each child also exits by itself
 * when {@code up} disappears.
 */
public final class ChildJvm {

    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);
    private static final String MAIN = "dev.qstream.launcher.cli.QstreamCli";

    private final String name;
    private final Process process;
    private final Path log;
    /** Where this run's output starts in the log: a data directory used again appends to the last run's log. */
    private final long logStart;
    private volatile long peakRssKb = -1;

    private ChildJvm(String name, Process process, Path log, long logStart) {
        this.name = name;
        this.logStart = logStart;
        this.process = process;
        this.log = log;
    }

    /**
     * @param jvmOptions heap and native-memory limits etc.
     * @param args       the qstream subcommand and its options
     */
    public static ChildJvm launch(String name, List<String> jvmOptions, List<String> args, Map<String, String> env,
                                  Path logFile) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN);
        command.addAll(args);
        command.add("--exit-with-parent");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        Process process = pb.start();
        LOG.debug("started {} (pid {}): {}", name, process.pid(), command);
        return new ChildJvm(name, process, logFile, logStart);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code of a child that has exited; -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public Path log() {
        return log;
    }

    /**
     * Waits until a line starting with {@code prefix} appears in this run's part of the log (a line an earlier run
     * wrote there, such as its broker's address, does not count); returns the rest of that line.
     */
    public String awaitLine(String prefix, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> found = firstLineAfter(log, logStart, prefix);
            if (found.isPresent()) {
                return found.get();
            }
            if (!process.isAlive()) {
                // It may have written the line just before it exited, after the read above.
                found = firstLineAfter(log, logStart, prefix);
                if (found.isPresent()) {
                    return found.get();
                }
                throw new IOException(name + " exited with code " + process.exitValue() + " before it was ready; see " + log);
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    /** The rest of the first line of this run's log that starts with {@code prefix}, if there is one yet. */
    public Optional<String> lineSoFar(String prefix) throws IOException {
        return firstLineAfter(log, logStart, prefix);
    }

    /**
     * The rest of the first whole line (one that has its line end: a line still being written may be cut short)
     * from byte {@code start} of {@code log} on that starts with {@code prefix}.
     */
    static Optional<String> firstLineAfter(Path log, long start, String prefix) throws IOException {
        byte[] mine; // only this run's part: a log kept across runs can be large, and this is polled
        try (SeekableByteChannel in = Files.newByteChannel(log)) {
            in.position(Math.min(start, in.size()));
            mine = Channels.newInputStream(in).readAllBytes();
        }
        String[] lines = new String(mine, StandardCharsets.UTF_8).split("\\R", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the last piece is "" or a line without its end yet
            if (lines[i].startsWith(prefix)) {
                return Optional.of(lines[i].substring(prefix.length()).strip());
            }
        }
        return Optional.empty();
    }

    /** Reads the peak resident set size (VmHWM) while the process is alive; the last reading is kept. */
    public long samplePeakRssKb() {
        readVmHwm().ifPresent(kb -> peakRssKb = Math.max(peakRssKb, kb));
        return peakRssKb;
    }

    public long peakRssKb() {
        return peakRssKb;
    }

    private Optional<Long> readVmHwm() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return Optional.empty();
    }

    /** SIGTERM, then wait for the clean shutdown; SIGKILL if it takes longer than {@code grace}. */
    public int stop(Duration grace) throws InterruptedException {
        samplePeakRssKb();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} did not stop within {} s; killing it", name, grace.toSeconds());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return process.exitValue();
    }

    /** SIGTERM without waiting (to stop several side by side; {@link #stop} then waits for each). */
    public void requestStop() {
        samplePeakRssKb();
        process.destroy();
    }

    /** Kills without waiting (used when {@code up} itself is failing). */
    public void kill() {
        process.destroyForcibly();
    }
}
