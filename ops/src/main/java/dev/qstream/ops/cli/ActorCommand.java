package dev.qstream.ops.cli;

import dev.qstream.actor.generation.ActionMasker;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.actor.service.ActorService;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.ExplorationStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code qstream actor}: one actor instance against a Kafka cluster. */
@Command(name = "actor", mixinStandardHelpOptions = true,
        description = "Serve prompts from the prompts topic with the newest model and emit transitions.")
public final class ActorCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    MetricsOptions metrics;

    @Mixin
    SigningOptions signing;

    @Mixin
    VocabularyOptions vocabulary;

    @Option(names = "--instance-id", description = "Instance id (default: actor-<host>-<pid>).")
    String instanceId;

    @Option(names = "--model-name", defaultValue = ActorConfig.DEFAULT_MODEL_NAME, description = "Model to serve (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--max-tokens", defaultValue = "" + ActorConfig.DEFAULT_MAX_TOKENS, description = "Longest episode (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--strategy", defaultValue = "EPSILON_GREEDY", description = "Exploration: GREEDY, EPSILON_GREEDY, BOLTZMANN (default: ${DEFAULT-VALUE}).")
    ExplorationStrategy strategy;

    @Option(names = "--epsilon-start", defaultValue = "0.5", description = "ε at the first episode (default: ${DEFAULT-VALUE}).")
    double epsilonStart;

    @Option(names = "--epsilon-end", defaultValue = "0.05", description = "ε after the decay (default: ${DEFAULT-VALUE}).")
    double epsilonEnd;

    @Option(names = "--epsilon-decay-episodes", defaultValue = "2000", description = "Episodes over which ε decays (default: ${DEFAULT-VALUE}).")
    long epsilonDecay;

    @Option(names = "--temperature", defaultValue = "0.5", description = "Boltzmann temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--mask", defaultValue = "PROMPT_AND_COMMON", description = "Valid actions: PROMPT_AND_COMMON or ALL (default: ${DEFAULT-VALUE}).")
    ActionMasker.Mode mask;

    @Option(names = "--common-words", defaultValue = "" + ActorConfig.DEFAULT_COMMON_WORDS, description = "Most frequent words always valid (default: ${DEFAULT-VALUE}).")
    int commonWords;

    @Option(names = "--hidden", defaultValue = "" + ActorConfig.DEFAULT_HIDDEN, description = "Hidden units of the untrained model (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--init-seed", defaultValue = "" + ActorConfig.DEFAULT_INIT_SEED, description = "Seed of the untrained model; must match the learner's (default: ${DEFAULT-VALUE}).")
    long initSeed;

    @Option(names = "--exit-with-parent", hidden = true)
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        Vocabulary vocabulary = this.vocabulary.load();
        String id = instanceId != null ? instanceId : ServiceRunner.defaultInstanceId("actor");
        ActorConfig config = new ActorConfig(id, modelName, vocabulary, EncoderSpec.defaults(), hidden, initSeed,
                maxTokens, 256, strategy, new EpsilonSchedule(epsilonStart, epsilonEnd, epsilonDecay), temperature,
                mask, commonWords, signing.signer(), kafka.topicPrefix + "-actors", Duration.ofSeconds(60));
        return ServiceRunner.run(kafka, metrics, "actor", id, exitWithParent, context -> ActorService.start(config, context));
    }
}
