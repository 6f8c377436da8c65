package dev.qstream.ops.cli;

import dev.qstream.actor.service.ActorConfig;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.service.LearnerConfig;
import dev.qstream.learner.service.LearnerService;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code qstream learner}: the learner against a Kafka cluster. */
@Command(name = "learner", mixinStandardHelpOptions = true,
        description = "Consume scored transitions into replay, run DQN updates, publish model versions.")
public final class LearnerCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    MetricsOptions metrics;

    @Mixin
    SigningOptions signing;

    @Mixin
    VocabularyOptions vocabulary;

    @Option(names = "--instance-id", description = "Instance id (default: learner-<host>-<pid>).")
    String instanceId;

    @Option(names = "--model-name", defaultValue = ActorConfig.DEFAULT_MODEL_NAME, description = "Model to publish (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--hidden", defaultValue = "" + ActorConfig.DEFAULT_HIDDEN, description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--init-seed", defaultValue = "" + ActorConfig.DEFAULT_INIT_SEED, description = "Seed of the version-0 weights (default: ${DEFAULT-VALUE}).")
    long initSeed;

    @Option(names = "--gamma", defaultValue = "0.95", description = "Discount γ (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam step size (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--batch-size", defaultValue = "64", description = "Transitions per update (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--huber-delta", defaultValue = "1.0", description = "Huber loss δ (default: ${DEFAULT-VALUE}).")
    double huberDelta;

    @Option(names = "--max-grad-norm", defaultValue = "10.0", description = "Global gradient-norm clip, 0 = none (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--no-double-dqn", description = "Vanilla DQN targets instead of double DQN.")
    boolean noDoubleDqn;

    @Option(names = "--target-sync-every", defaultValue = "250", description = "Hard target sync every N updates (default: ${DEFAULT-VALUE}).")
    int targetSyncEvery;

    @Option(names = "--tau", defaultValue = "0.0", description = "Polyak τ per update; 0 = hard sync (default: ${DEFAULT-VALUE}).")
    double tau;

    @Option(names = "--replay-capacity", defaultValue = "200000", description = "Transitions kept in replay (default: ${DEFAULT-VALUE}).")
    int replayCapacity;

    @Option(names = "--min-replay", defaultValue = "500", description = "Transitions before the first update (default: ${DEFAULT-VALUE}).")
    int minReplay;

    @Option(names = "--samples-per-insert", defaultValue = "8", description = "Target sampled/inserted ratio (default: ${DEFAULT-VALUE}).")
    double samplesPerInsert;

    @Option(names = "--publish-every-updates", defaultValue = "100", description = "Publish a model every N updates (default: ${DEFAULT-VALUE}).")
    int publishEveryUpdates;

    @Option(names = "--publish-every", defaultValue = "30s", converter = DurationConverter.class,
            description = "... or at least this often while training (default: ${DEFAULT-VALUE}).")
    Duration publishEvery;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        Vocabulary vocabulary = this.vocabulary.load();
        String id = instanceId != null ? instanceId : ServiceRunner.defaultInstanceId("learner");
        DqnConfig defaults = DqnConfig.defaults();
        DqnConfig dqn = new DqnConfig(gamma, learningRate, batchSize, huberDelta, maxGradNorm, !noDoubleDqn,
                targetSyncEvery, tau, defaults.adamBeta1(), defaults.adamBeta2(), defaults.adamEpsilon(), 1,
                DqnConfig.Optimizer.ADAM);
        LearnerConfig config = new LearnerConfig(id, modelName, vocabulary.size(), vocabulary.fingerprint(),
                EncoderSpec.defaults(), hidden, initSeed, dqn, replayCapacity, minReplay, samplesPerInsert,
                batchSize * 4.0, publishEveryUpdates, publishEvery, signing.signer(), kafka.topicPrefix + "-learner", 1L);
        return ServiceRunner.run(kafka, metrics, "learner", id, exitWithParent, context -> LearnerService.start(config, context));
    }
}
