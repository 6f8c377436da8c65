package dev.qstream.launcher.cli;

import dev.qstream.runtime.kafka.KafkaSettings;
import picocli.CommandLine.Command;

/** {@code qstream promote V}: the operator promotes the challenger on trial, whatever the gate's evidence says. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Promote the challenger on trial to champion now (a decision on qstream.deployments, decidedBy=operator).")
public final class PromoteCommand extends DeploymentOverride {

    @Override
    OperatorDecision.Outcome decide(KafkaSettings settings, String reason) {
        return OperatorDecision.promote(settings, modelName, version, reason, timeout);
    }

    @Override
    String defaultReason() {
        return "manual promotion";
    }
}
