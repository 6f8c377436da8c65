package dev.qstream.launcher.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./qstream up --brokers 3} as a user runs it, in a process of its own: one of its brokers is SIGKILLed
 * while traffic flows. The stack carries on (every topic has three copies, {@code min.insync.replicas} 2), up starts
 * the broker again on its data directory and says when it is back, and the loop goes on learning to the end of its
 * duration: a clean exit, a summary, model versions published and transitions scored after the kill.
 */
class UpBrokerRestartIT {

    private static final Pattern PUBLISHED = Pattern.compile(" published=v(\\d+) ");
    private static final Pattern TRANSITIONS = Pattern.compile(" transitions=(\\d+) ");

    @Test
    void aKilledBrokerIsStartedAgainAndTheLoopCarriesOn(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("up");
        Process up = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "dev.qstream.launcher.cli.QstreamCli", "up",
                "--brokers", "3", "--rate", "10", "--duration", "100s", "--progress-every", "5s",
                "--dashboard-port", "-1", "--data-dir", data.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    System.out.println("[up] " + line);
                }
            } catch (Exception e) {
                // the process ended
            }
        }, "up-output");
        reader.start();
        try {
            await("a learned version served").atMost(4, TimeUnit.MINUTES).pollInterval(1, TimeUnit.SECONDS)
                    .until(() -> has(lines, "a learned version served by every actor") || !up.isAlive());
            assertThat(up.isAlive()).as("up is running").isTrue();

            String node2 = data.resolve("kafka").resolve("node-2").toString();
            // up's own children, by their full command line (ProcessHandle.Info cuts long ones short).
            ProcessHandle broker = up.descendants().filter(p -> commandLine(p).contains(node2)).findFirst().orElseThrow();
            long publishedAtKill = last(lines, PUBLISHED);
            long producedAtKill = last(lines, TRANSITIONS);
            broker.destroyForcibly(); // SIGKILL
            broker.onExit().get(30, TimeUnit.SECONDS);

            await("broker-2 back").atMost(3, TimeUnit.MINUTES).pollInterval(1, TimeUnit.SECONDS)
                    .until(() -> has(lines, "broker-2 is back at ") || !up.isAlive());
            assertThat(lines).anyMatch(l -> l.contains("broker-2 exited unexpectedly (exit code 137); the other 2 brokers carry on"));
            assertThat(up.isAlive()).as("up carries on").isTrue();

            assertThat(up.waitFor(5, TimeUnit.MINUTES)).as("up ends after its duration").isTrue();
            reader.join(10_000);
            assertThat(up.exitValue()).as("exit code").isZero();
            JsonNode summary = new ObjectMapper().readTree(lines.stream().filter(l -> l.startsWith("{\"episodes\""))
                    .reduce((a, b) -> b).orElseThrow());
            assertThat(summary.get("modelVersionPublished").asLong()).as("versions published after the kill")
                    .isGreaterThan(publishedAtKill);
            assertThat(summary.get("scoredTransitions").asLong()).as("scored past what was produced before the kill")
                    .isGreaterThan(producedAtKill);
        } finally {
            if (up.isAlive()) {
                up.destroy(); // up stops its children itself
                if (!up.waitFor(60, TimeUnit.SECONDS)) {
                    up.destroyForcibly();
                }
            }
        }
    }

    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // gone already
        }
    }

    private static boolean has(List<String> lines, String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    /** The number the pattern finds in the last progress line that has it (0 if none). */
    private static long last(List<String> lines, Pattern pattern) {
        long v = 0;
        for (String l : lines) {
            Matcher m = pattern.matcher(l);
            if (m.find()) {
                v = Long.parseLong(m.group(1));
            }
        }
        return v;
    }
}
