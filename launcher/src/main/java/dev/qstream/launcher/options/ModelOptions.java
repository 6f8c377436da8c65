package dev.qstream.launcher.options;

import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.state.EncoderSpec;
import picocli.CommandLine.Option;

/** Which model a service serves, trains or evaluates: the same options (and defaults) on actor, learner and evaluator. */
public final class ModelOptions {

    @Option(names = "--model-name", description = "Model on the model topic (default: ${DEFAULT-VALUE}).")
    public String name = ModelIdentity.DEFAULT_NAME;

    @Option(names = "--hidden", description = "Hidden units of the untrained model; must match the learner's (default: ${DEFAULT-VALUE}).")
    public int hidden = ModelIdentity.DEFAULT_HIDDEN;

    @Option(names = "--init-seed", description = "Seed of the version-0 weights; must match the learner's (default: ${DEFAULT-VALUE}).")
    public long initSeed = ModelIdentity.DEFAULT_INIT_SEED;

    @Option(names = "--open-copy-buckets", description = "Inputs saying which of the prompt's copy actions are still to be said (0 = none, as models before them); must match the learner's (default: ${DEFAULT-VALUE}).")
    public int openCopyBuckets = EncoderSpec.DEFAULT_OPEN_COPY_BUCKETS;

    public ModelIdentity identity() {
        return new ModelIdentity(name, EncoderSpec.defaults().withOpenCopyBuckets(openCopyBuckets), hidden, initSeed);
    }
}
