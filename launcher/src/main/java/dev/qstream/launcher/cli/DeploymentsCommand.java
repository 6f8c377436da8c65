package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.KafkaOptions;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.runtime.deployment.DeploymentLog;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.DeploymentEvidence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code qstream deployments}: the decision log and the state it leads to. */
@Command(name = "deployments", mixinStandardHelpOptions = true,
        description = "Show the deployment decisions on qstream.deployments (trials, promotions, rollbacks, with their evidence) and who serves now.")
public final class DeploymentsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model-name", defaultValue = ModelIdentity.DEFAULT_NAME, description = "Model (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--last", defaultValue = "20", description = "Show the last N decisions; 0 = all (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "--json", description = "One JSON object per decision (Avro's JSON encoding), then nothing else.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long reading the topic may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        List<DeploymentDecision> log = DeploymentLog.history(kafka.settings(), "qstream-deployments", modelName, timeout);
        List<DeploymentDecision> shown = last > 0 && log.size() > last ? log.subList(log.size() - last, log.size()) : log;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            shown.forEach(d -> out.println(d.toString()));
            out.flush();
            return 0;
        }
        for (DeploymentDecision d : shown) {
            out.println(line(d));
        }
        DeploymentState state = log.isEmpty() ? DeploymentState.FOLLOW_LATEST : DeploymentState.after(log.get(log.size() - 1));
        out.printf("%d decision(s); now: %s%n", log.size(), state);
        out.flush();
        return 0;
    }

    static String line(DeploymentDecision d) {
        StringBuilder s = new StringBuilder();
        s.append(d.getDecidedAt()).append("  ").append(String.format("%-13s", d.getAction())).append(" v").append(d.getSubjectVersion())
                .append("  by ").append(d.getDecidedBy()).append(": ").append(d.getReason());
        DeploymentEvidence e = d.getEvidence();
        if (e != null && !d.getReason().contains("interval")) {
            s.append(String.format(" [challenger %.4f (n=%d) vs champion %.4f (n=%d)]", e.getChallengerMeanReward(),
                    e.getChallengerEpisodes(), e.getChampionMeanReward(), e.getChampionEpisodes()));
        } else if (e != null) {
            s.append(String.format(" [challenger %.4f vs champion %.4f]", e.getChallengerMeanReward(), e.getChampionMeanReward()));
        }
        return s.toString();
    }
}
