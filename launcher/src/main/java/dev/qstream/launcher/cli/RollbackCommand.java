package dev.qstream.launcher.cli;

import dev.qstream.runtime.kafka.KafkaSettings;
import picocli.CommandLine.Command;

/**
 * {@code qstream rollback V}: the operator takes the challenger on trial off traffic; the champion keeps serving and
 * the learner resumes from its weights.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Roll the challenger on trial back now: the champion serves all traffic and the learner resumes "
                + "from its weights (a decision on qstream.deployments, decidedBy=operator).")
public final class RollbackCommand extends DeploymentOverride {

    @Override
    OperatorDecision.Outcome decide(KafkaSettings settings, String reason) {
        return OperatorDecision.rollback(settings, modelName, version, reason, timeout);
    }

    @Override
    String defaultReason() {
        return "manual rollback";
    }
}
