package dev.qstream.launcher.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChildJvmTest {

    private static final String READY = "qstream broker ready at ";

    @Test
    void aLineTheLastRunLeftInTheLogIsNotThisRunsReadyLine(@TempDir Path dir) throws Exception {
        // up run again on the same --data-dir appends to the broker's log: the old address must not be taken.
        Path log = dir.resolve("broker.log");
        String lastRun = "12:00:00 INFO starting\n" + READY + "127.0.0.1:44723\n";
        Files.writeString(log, lastRun + "12:05:00 INFO starting\n" + READY + "127.0.0.1:37101\n");
        long start = lastRun.getBytes(StandardCharsets.UTF_8).length;

        assertThat(ChildJvm.firstLineAfter(log, start, READY)).contains("127.0.0.1:37101");
        assertThat(ChildJvm.firstLineAfter(log, 0, READY)).contains("127.0.0.1:44723");
    }

    @Test
    void aLineStillBeingWrittenIsNotReadCutShort(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("broker.log");
        Files.writeString(log, READY + "127.0.0.1:3");
        assertThat(ChildJvm.firstLineAfter(log, 0, READY)).isEmpty();
        Files.writeString(log, READY + "127.0.0.1:37101\n");
        assertThat(ChildJvm.firstLineAfter(log, 0, READY)).contains("127.0.0.1:37101");
    }

    @Test
    void aChildStartedOnAnOldLogWaitsForItsOwnLine(@TempDir Path dir) throws Exception {
        // A real child JVM (it prints its usage and exits): the last run's line is in the log already, and this
        // run's must be the one returned.
        Path log = dir.resolve("child.log");
        Files.writeString(log, "Usage: qstream from-the-last-run\n");
        ChildJvm child = ChildJvm.launch("child", List.of("-Xmx64m"), List.of("broker", "--help"), Map.of(), log);
        try {
            assertThat(child.awaitLine("Usage: qstream ", Duration.ofSeconds(60))).startsWith("broker ");
        } finally {
            child.kill();
        }
    }
}
