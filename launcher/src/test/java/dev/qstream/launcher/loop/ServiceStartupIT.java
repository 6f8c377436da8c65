package dev.qstream.launcher.loop;

import dev.qstream.launcher.cli.QstreamCli;
import dev.qstream.policy.text.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** A service pointed at a cluster that is not there exits with a clear message instead of hanging. */
class ServiceStartupIT {

    /** A port on loopback that nothing listens on. */
    private static int deadPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Runs the CLI in-process and captures what it tells the user on stderr. */
    private static Result run(String... args) {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = QstreamCli.commandLine().execute(args);
            return new Result(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
    }

    private record Result(int code, String err) {
    }

    @Test
    void actorWithTheDefaultStartupTimeoutGivesUpWithin30Seconds(@TempDir Path dir) throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        Vocabulary.synthetic(10).write(vocab);
        String bootstrap = "127.0.0.1:" + deadPort();
        Result result = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run("actor", "--bootstrap-servers", bootstrap, "--vocab", vocab.toString(), "--allow-unsigned-models"));
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("Kafka is unreachable at " + bootstrap).contains("--bootstrap-servers");
    }

    @Test
    void scorerAndLearnerFailTheSameWay(@TempDir Path dir) throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        Vocabulary.synthetic(10).write(vocab);
        String bootstrap = "127.0.0.1:" + deadPort();
        Result scorer = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run("scorer", "--bootstrap-servers", bootstrap, "--startup-timeout", "3s", "--state-dir", dir.resolve("s").toString()));
        assertThat(scorer.code()).isEqualTo(2);
        assertThat(scorer.err()).contains("Kafka is unreachable at " + bootstrap);
        Result learner = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run("learner", "--bootstrap-servers", bootstrap, "--startup-timeout", "3s", "--vocab", vocab.toString(), "--allow-unsigned-models"));
        assertThat(learner.code()).isEqualTo(2);
        assertThat(learner.err()).contains("Kafka is unreachable at " + bootstrap);
    }

    @Test
    void malformedBootstrapAndMissingKeyAreRejectedUpFront(@TempDir Path dir) throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        Vocabulary.synthetic(10).write(vocab);
        Result bad = run("learner", "--bootstrap-servers", "no-port-here", "--vocab", vocab.toString(), "--allow-unsigned-models");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("is not HOST:PORT");
        Result noKey = run("learner", "--bootstrap-servers", "127.0.0.1:9", "--vocab", vocab.toString());
        assertThat(noKey.code()).isEqualTo(2);
        assertThat(noKey.err()).contains("no model-signing key");
    }
}
