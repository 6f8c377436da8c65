package dev.qstream.launcher.cli;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code qstream broker}: the embedded single-node KRaft broker on its own. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run an embedded single-node Kafka (KRaft) broker on 127.0.0.1 and print its bootstrap address.")
public final class BrokerCommand implements Callable<Integer> {

    /** The line prefix {@code up} (and scripts) read the address from. */
    public static final String READY_PREFIX = "qstream broker ready at ";

    @Option(names = "--port", defaultValue = "0", description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep topics here across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral().withDataDir(dataDir).withPort(port));
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "broker-shutdown"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(stop::countDown));
        }
        System.out.println(READY_PREFIX + broker.bootstrapServers());
        System.out.flush();
        stop.await();
        broker.close();
        closed.countDown();
        return 0;
    }
}
