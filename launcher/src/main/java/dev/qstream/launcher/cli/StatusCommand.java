package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.KafkaOptions;
import dev.qstream.console.status.LoopStatusReader;
import dev.qstream.console.status.StatusFormatter;
import dev.qstream.console.telemetry.LoopHealth;
import dev.qstream.runtime.kafka.KafkaSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code qstream status}: one screen of the loop's health, read from its topics. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the loop's health read from its topics: versions, rates, reward, lag, dead letters, instances.")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--window", defaultValue = "2m", converter = DurationConverter.class,
            description = "How far back to read metrics, generations and dead letters (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to wait for Kafka (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        KafkaSettings settings = kafka.settings();
        LoopHealth health = LoopStatusReader.read(settings, window, timeout);
        var out = spec.commandLine().getOut();
        out.print(json ? StatusFormatter.json(health) + "\n" : StatusFormatter.text(health, settings.bootstrapServers()));
        out.flush();
        return 0;
    }
}
