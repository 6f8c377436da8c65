package dev.qstream.launcher.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad command lines and bad configuration end with one clear line and exit code 2, before anything is started or
 * connected: no stack trace, no half-started services.
 */
class CommandLineErrorsTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = QstreamCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private void assertRefused(String expected, String... args) {
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(err.toString()).contains(expected).doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    @Test
    void aDurationThatIsNotOneIsRefusedWithTheAcceptedForms() {
        assertRefused("'5x' is not a duration (use e.g. 500ms, 90s, 3m, 1h)",
                "scorer", "--bootstrap-servers", "127.0.0.1:9092", "--feedback-window", "5x");
    }

    @Test
    void anUnknownEnumValueNamesTheChoices() {
        assertRefused("ROUGE_L", "scorer", "--bootstrap-servers", "127.0.0.1:9092", "--metric", "BOGUS");
    }

    @Test
    void anUnknownOptionIsRefused() {
        assertRefused("Unknown options: '--colour', 'red'", "report", "--out", dir.resolve("c.png").toString(), "--colour", "red");
    }

    @Test
    void kafkaSettingsAreCheckedBeforeAnyConnection() {
        String out = dir.resolve("c.png").toString();
        assertRefused("--bootstrap-servers (or $QSTREAM_BOOTSTRAP_SERVERS) is required", "report", "--out", out);
        assertRefused("bootstrap server 'localhost' is not HOST:PORT", "report", "--out", out, "--bootstrap-servers", "localhost");
        assertRefused("partitions must be >= 1, got 0", "report", "--out", out, "--bootstrap-servers", "127.0.0.1:9092",
                "--partitions", "0");
        assertRefused("cannot read Kafka client config " + dir.resolve("missing.properties"), "report", "--out", out,
                "--bootstrap-servers", "127.0.0.1:9092", "--client-config", dir.resolve("missing.properties").toString());
    }

    @Test
    void upRefusesNonsenseTrafficAndFeedbackSettingsBeforeStartingAnything() {
        Path data = dir.resolve("up");
        assertRefused("--repeat must be >= 0", "up", "--data-dir", data.toString(), "--repeat", "-1");
        assertRefused("feedback fraction must be in [0, 1], got 1.5", "up", "--data-dir", data.toString(), "--feedback-fraction", "1.5");
        assertRefused("--actors must be >= 1", "up", "--data-dir", data.toString(), "--actors", "0");
        assertRefused("--rate must be >= 0 (0 = no simulated traffic)", "up", "--data-dir", data.toString(), "--rate", "-1");
        assertRefused("--brokers must be >= 1", "up", "--data-dir", data.toString(), "--brokers", "0");
        assertThat(data).doesNotExist();
    }

    @Test
    void clusterAndReplicationOptionsAreCheckedBeforeAnythingStarts() {
        assertRefused("a cluster node needs all of --node-id, --cluster-id and --controller-quorum (missing: --cluster-id)",
                "broker", "--node-id", "1", "--controller-quorum", "1@127.0.0.1:9093");
        assertRefused("controller quorum entry '2@127.0.0.1' is not ID@HOST:PORT", "broker", "--node-id", "1",
                "--cluster-id", "MkU3OEVBNTcwNTJENDM2Qg", "--controller-quorum", "1@127.0.0.1:9093,2@127.0.0.1");
        assertRefused("node id 4 is not one of the controller quorum's voters [1, 2]", "broker", "--node-id", "4",
                "--cluster-id", "MkU3OEVBNTcwNTJENDM2Qg", "--controller-quorum", "1@127.0.0.1:9093,2@127.0.0.1:9094");
        assertRefused("cluster id 'cluster-1' is not a Kafka cluster id", "broker", "--node-id", "1",
                "--cluster-id", "cluster-1", "--controller-quorum", "1@127.0.0.1:9093");
        assertRefused("'0' is not a replication factor (use auto, or a number >= 1)",
                "scorer", "--bootstrap-servers", "127.0.0.1:9092", "--replication-factor", "0");
    }

    @Test
    void httpOnAnotherInterfaceWithoutATokenIsRefusedBeforeAnyConnection() {
        String refusal = "refusing to serve HTTP on 0.0.0.0 without a token";
        assertRefused(refusal, "actor", "--bootstrap-servers", "127.0.0.1:9", "--task", "builtin", "--allow-unsigned-models", "--http-host", "0.0.0.0");
        assertRefused(refusal, "ops", "--bootstrap-servers", "127.0.0.1:9", "--host", "0.0.0.0");
        assertThat(err.toString()).contains("--insecure");
    }

    @Test
    void aTokenFileThatIsTooShortIsRefused() throws Exception {
        Path token = java.nio.file.Files.writeString(dir.resolve("token"), "short\n");
        assertRefused("at least 16 characters", "ops", "--bootstrap-servers", "127.0.0.1:9", "--http-token-file", token.toString());
    }
}
