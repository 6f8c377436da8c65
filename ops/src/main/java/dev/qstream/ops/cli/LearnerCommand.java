package dev.qstream.ops.cli;

import dev.qstream.actor.service.ActorConfig;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.service.LearnerConfig;
import dev.qstream.learner.service.LearnerService;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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

    @Option(names = "--gamma", defaultValue = "0.9", description = "Discount γ (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--n-step", defaultValue = "3", description = "n of the n-step return (default: ${DEFAULT-VALUE}).")
    int nStep;

    @Option(names = "--dueling", description = "Dueling head: Q = V + A − mean of A over the state's valid actions.")
    boolean dueling;

    @Option(names = "--replay-capacity", defaultValue = "200000", description = "Transitions kept in replay (default: ${DEFAULT-VALUE}).")
    int replayCapacity;

    @Option(names = "--uniform-replay", description = "Sample replay uniformly instead of by priority.")
    boolean uniformReplay;

    @Option(names = "--priority-alpha", defaultValue = "0.6", description = "Prioritized replay α (default: ${DEFAULT-VALUE}).")
    double priorityAlpha;

    @Option(names = "--priority-beta", defaultValue = "0.4", description = "Initial importance-sampling β, annealed to 1 (default: ${DEFAULT-VALUE}).")
    double priorityBeta;

    @Option(names = "--beta-anneal-updates", defaultValue = "100000", description = "Updates over which β reaches 1 (default: ${DEFAULT-VALUE}).")
    long betaAnnealUpdates;

    @Option(names = "--pause-behind", defaultValue = "0",
            description = "Pause consuming when training owes this many samples to the ratio; 0 = never (default: ${DEFAULT-VALUE}).")
    double pauseBehind;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Checkpoint directory; the learner resumes from it. Without one, a restart loses replay.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every-updates", defaultValue = "2000", description = "Checkpoint every N updates (default: ${DEFAULT-VALUE}).")
    int checkpointEveryUpdates;

    @Option(names = "--checkpoint-every", defaultValue = "60s", converter = DurationConverter.class,
            description = "... or at least this often (default: ${DEFAULT-VALUE}).")
    Duration checkpointEvery;

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
                targetSyncEvery, tau, defaults.adamBeta1(), defaults.adamBeta2(), defaults.adamEpsilon(), nStep,
                DqnConfig.Optimizer.ADAM, dueling);
        ReplayConfig replay = new ReplayConfig(replayCapacity, !uniformReplay, priorityAlpha, priorityBeta, betaAnnealUpdates, 1e-3);
        LearnerConfig config = LearnerConfig.builder(id, vocabulary.size(), vocabulary.fingerprint())
                .modelName(modelName).encoder(EncoderSpec.defaults()).hidden(hidden).initSeed(initSeed).dqn(dqn)
                .replay(replay).minReplay(minReplay).samplesPerInsert(samplesPerInsert).pauseIngestBehind(pauseBehind)
                .publishEveryUpdates(publishEveryUpdates).publishEvery(publishEvery).checkpointDir(checkpointDir)
                .checkpointEveryUpdates(checkpointEveryUpdates).checkpointEvery(checkpointEvery)
                .signer(signing.signer()).groupId(kafka.topicPrefix + "-learner").build();
        return ServiceRunner.run(kafka, metrics, "learner", id, exitWithParent, context -> LearnerService.start(config, context));
    }
}
