package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.ServiceOptions;
import dev.qstream.launcher.options.ModelOptions;
import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.SigningOptions;
import dev.qstream.launcher.options.VocabularyOptions;
import dev.qstream.launcher.options.ReplayOptions;
import dev.qstream.launcher.options.DqnOptions;
import dev.qstream.launcher.options.GateOptions;
import dev.qstream.launcher.options.StalenessOptions;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.learner.service.LearnerConfig;
import dev.qstream.learner.service.ActiveStandbyLearner;
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

    /** Every default below is {@link LearnerConfig.Builder}'s: the one place they are written. */
    private static final LearnerConfig D = LearnerConfig.builder("defaults", Vocabulary.SPECIAL_TOKENS + 1, "none").build();


    @Mixin
    ServiceOptions service;

    @Mixin
    SigningOptions signing;

    @Mixin
    VocabularyOptions vocabulary;

    @Mixin
    ModelOptions model;

    @Mixin
    DqnOptions dqn;

    @Mixin
    ReplayOptions replay;

    @Mixin
    StalenessOptions staleness;

    @Mixin
    GateOptions gate;

    @Option(names = "--pause-behind",
            description = "Pause consuming when training owes this many samples to the ratio; 0 = never (default: ${DEFAULT-VALUE}).")
    double pauseBehind = D.pauseIngestBehind();

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Checkpoint directory; the learner resumes from it. Without one, a restart loses replay.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every-updates", description = "Checkpoint every N updates (default: ${DEFAULT-VALUE}).")
    int checkpointEveryUpdates = D.checkpointEveryUpdates();

    @Option(names = "--checkpoint-every", converter = DurationConverter.class,
            description = "... or at least this often (default: ${DEFAULT-VALUE}).")
    Duration checkpointEvery = D.checkpointEvery();

    @Option(names = "--min-replay", description = "Transitions before the first update (default: ${DEFAULT-VALUE}).")
    int minReplay = D.minReplay();

    @Option(names = "--samples-per-insert", description = "Target sampled/inserted ratio (default: ${DEFAULT-VALUE}).")
    double samplesPerInsert = D.samplesPerInsert();

    @Option(names = "--publish-every-updates", description = "Publish a model every N updates (default: ${DEFAULT-VALUE}).")
    int publishEveryUpdates = D.publishEveryUpdates();

    @Option(names = "--publish-every", converter = DurationConverter.class,
            description = "... or at least this often while training (default: ${DEFAULT-VALUE}).")
    Duration publishEvery = D.publishEvery();

    @Option(names = "--lease-timeout", converter = DurationConverter.class,
            description = "How long a silent active learner keeps the lease before a standby learner of the same model "
                    + "takes over; run a second learner with the same options and --checkpoint-dir as a hot standby (default: ${DEFAULT-VALUE}).")
    Duration leaseTimeout = D.leaseTimeout();

    @Override
    public Integer call() throws Exception {
        Vocabulary vocabulary = this.vocabulary.load();
        String id = ServiceRunner.instanceId(service, "learner");
        LearnerConfig config = LearnerConfig.builder(id, vocabulary.size(), vocabulary.fingerprint())
                .model(model.identity()).dqn(dqn.config())
                .replay(replay.config()).staleness(staleness.bound()).minReplay(minReplay).samplesPerInsert(samplesPerInsert).pauseIngestBehind(pauseBehind)
                .publishEveryUpdates(publishEveryUpdates).publishEvery(publishEvery).checkpointDir(checkpointDir)
                .checkpointEveryUpdates(checkpointEveryUpdates).checkpointEvery(checkpointEvery)
                .signer(signing.signer()).groupId(service.kafka.topicPrefix + "-learner").gate(gate.config()).leaseTimeout(leaseTimeout).build();
        return ServiceRunner.run(service, "learner", id, context -> ActiveStandbyLearner.start(config, context));
    }
}
