package dev.qstream.ops.cli;

import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.reward.RewardConfig;
import dev.qstream.scorer.stream.ScorerConfig;
import dev.qstream.scorer.stream.ScorerService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code qstream scorer}: one scorer instance (Kafka Streams) against a Kafka cluster. */
@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = "Assemble episodes, compute ROUGE/BLEU rewards and emit scored transitions, exactly once.")
public final class ScorerCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--instance-id", description = "Instance id (default: scorer-<host>-<pid>).")
    String instanceId;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "RocksDB state directory (default: a temp dir).")
    Path stateDir;

    @Option(names = "--metric", defaultValue = "ROUGE_L", description = "Main reward metric: ROUGE_L, ROUGE_1, ROUGE_2 (default: ${DEFAULT-VALUE}).")
    RewardConfig.Metric metric;

    @Option(names = "--stemming", description = "Porter-stem tokens in ROUGE.")
    boolean stemming;

    @Option(names = "--shaping", defaultValue = "DELTA", description = "TERMINAL or DELTA per-step rewards (default: ${DEFAULT-VALUE}).")
    RewardConfig.Shaping shaping;

    @Option(names = "--metric-weight", defaultValue = "1.0", description = "Weight of the metric (default: ${DEFAULT-VALUE}).")
    double metricWeight;

    @Option(names = "--bleu-weight", defaultValue = "0.0", description = "Weight of BLEU/100 (default: ${DEFAULT-VALUE}).")
    double bleuWeight;

    @Option(names = "--episode-timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "Dead-letter episodes not complete after this long (default: ${DEFAULT-VALUE}).")
    Duration episodeTimeout;

    @Option(names = "--standby-replicas", defaultValue = "0", description = "Standby replicas of the state stores (default: ${DEFAULT-VALUE}).")
    int standbyReplicas;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        String id = instanceId != null ? instanceId : ServiceRunner.defaultInstanceId("scorer");
        TopicLayout layout = kafka.settings().layout();
        Path dir = stateDir != null ? stateDir : java.nio.file.Files.createTempDirectory("qstream-scorer-");
        RewardConfig reward = new RewardConfig(metric, stemming, metricWeight, bleuWeight, 0.0, 0.0, 64, 0.0, 0.0, shaping);
        ScorerConfig defaults = ScorerConfig.defaults(layout, dir);
        ScorerConfig config = new ScorerConfig(defaults.applicationId(), layout, reward, episodeTimeout,
                defaults.feedbackOnlyWithoutReferences(), defaults.limits(), defaults.punctuateEvery(), dir,
                standbyReplicas, defaults.commitInterval());
        return ServiceRunner.run(kafka, metrics, "scorer", id, exitWithParent, context -> ScorerService.start(config, context));
    }
}
