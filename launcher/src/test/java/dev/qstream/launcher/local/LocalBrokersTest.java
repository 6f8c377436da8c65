package dev.qstream.launcher.local;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.launcher.cli.BrokerCommand;
import dev.qstream.launcher.cli.QstreamCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code up --brokers N} hands each broker JVM. */
class LocalBrokersTest {

    @Test
    void threeBrokersAreOneClusterWithOneIdAQuorumOfAllAndTheirOwnPortsAndDirectories(@TempDir Path dir) throws Exception {
        List<LocalBrokers.Node> nodes = LocalBrokers.plan(3, 19092, dir.resolve("kafka"));
        assertThat(nodes).extracting(LocalBrokers.Node::name).containsExactly("broker-1", "broker-2", "broker-3");
        String clusterId = Files.readString(dir.resolve("kafka/cluster-id")).strip();
        for (int i = 0; i < 3; i++) {
            List<String> args = nodes.get(i).args();
            assertThat(arg(args, "--node-id")).isEqualTo(String.valueOf(i + 1));
            assertThat(arg(args, "--port")).isEqualTo(String.valueOf(19092 + i));
            assertThat(arg(args, "--cluster-id")).isEqualTo(clusterId);
            assertThat(arg(args, "--data-dir")).isEqualTo(dir.resolve("kafka/node-" + (i + 1)).toString());
            assertThat(arg(args, "--controller-quorum")).isEqualTo(arg(nodes.get(0).args(), "--controller-quorum"));
            // ... and `qstream broker` makes of them a valid member of that cluster.
            CommandLine.ParseResult parsed = QstreamCli.commandLine().parseArgs(args.toArray(new String[0]));
            BrokerSettings settings = ((BrokerCommand) parsed.subcommand().commandSpec().userObject()).settings();
            assertThat(settings.cluster().nodeId()).isEqualTo(i + 1);
            assertThat(settings.clusterSize()).isEqualTo(3);
            assertThat(settings.port()).isEqualTo(19092 + i);
        }
        // A stack started again on the same directory finds its cluster again.
        assertThat(arg(LocalBrokers.plan(3, 0, dir.resolve("kafka")).get(0).args(), "--cluster-id")).isEqualTo(clusterId);
        // Free ports are picked once, so a restarted node comes back where its peers and clients know it.
        assertThat(arg(LocalBrokers.plan(3, 0, dir.resolve("kafka")).get(1).args(), "--port")).isNotEqualTo("0");
    }

    @Test
    void oneBrokerIsTheSingleNodeAsBeforeAndNoneIsRefused(@TempDir Path dir) throws Exception {
        List<LocalBrokers.Node> one = LocalBrokers.plan(1, 0, dir.resolve("kafka"));
        assertThat(one).singleElement().satisfies(n -> {
            assertThat(n.name()).isEqualTo("broker");
            assertThat(n.args()).containsExactly("broker", "--port", "0", "--data-dir", dir.resolve("kafka").toString());
        });
        assertThatThrownBy(() -> LocalBrokers.plan(0, 0, dir)).hasMessageContaining("--brokers must be >= 1");
    }

    @Test
    void aClusterOfThreeStartsADeadNodeAgainAFewTimesASmallerStackStops() {
        LocalBrokers.Restarts cluster = new LocalBrokers.Restarts(3, 2);
        assertThat(cluster.next("broker-2")).isEqualTo(1);
        assertThat(cluster.next("broker-1")).isEqualTo(1); // counted per node
        assertThat(cluster.next("broker-2")).isEqualTo(2);
        assertThatThrownBy(() -> cluster.next("broker-2")).hasMessageContaining("broker-2 exited unexpectedly again after 2 restarts");

        assertThatThrownBy(() -> new LocalBrokers.Restarts(1, 3).next("broker"))
                .hasMessageContaining("a stack of 1 broker(s) cannot do without it");
        assertThatThrownBy(() -> new LocalBrokers.Restarts(2, 3).next("broker-1"))
                .hasMessageContaining("a stack of 2 broker(s) cannot do without it");
    }

    private static String arg(List<String> args, String name) {
        return args.get(args.indexOf(name) + 1);
    }
}
