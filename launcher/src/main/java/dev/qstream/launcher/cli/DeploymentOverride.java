package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.KafkaOptions;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.runtime.kafka.KafkaSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

/** What {@code promote} and {@code rollback} share: the version, the model, a reason, and printing the outcome. */
abstract class DeploymentOverride implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "VERSION", description = "The challenger's version.")
    long version;

    @Option(names = "--model-name", defaultValue = ModelIdentity.DEFAULT_NAME, description = "Model (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--reason", description = "Why, for the log (default: manual <action>).")
    String reason;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long reading and writing the deployments topic may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    abstract OperatorDecision.Outcome decide(KafkaSettings settings, String reason);

    abstract String defaultReason();

    @Override
    public Integer call() {
        OperatorDecision.Outcome o = decide(kafka.settings(), reason != null ? reason : defaultReason());
        spec.commandLine().getOut().println(o.message());
        return 0;
    }
}
