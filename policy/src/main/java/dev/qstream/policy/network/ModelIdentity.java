package dev.qstream.policy.network;

import dev.qstream.policy.state.EncoderSpec;

import java.util.Objects;

/**
 * What actors, the learner and the evaluator must agree on before any weights are published: which model on the
 * model topic they serve or train, its state encoding and hidden size, and the seed of the version-0 weights (so
 * all of them start from the same untrained network). This record is the one place their defaults are defined; the
 * service configs and the CLI take theirs from it.
 *
 * @param name     which model on the model topic
 * @param encoder  the state encoding (the network's inputs)
 * @param hidden   hidden units
 * @param initSeed seed of the version-0 weights
 */
public record ModelIdentity(String name, EncoderSpec encoder, int hidden, long initSeed) {

    public static final String DEFAULT_NAME = "qnet";
    public static final int DEFAULT_HIDDEN = 256;
    public static final long DEFAULT_INIT_SEED = 20261128L;

    public ModelIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(encoder, "encoder");
        if (name.isBlank() || hidden < 1) {
            throw new IllegalArgumentException("a model needs a name and at least one hidden unit: " + name + ", " + hidden);
        }
    }

    public static ModelIdentity defaults() {
        return new ModelIdentity(DEFAULT_NAME, EncoderSpec.defaults(), DEFAULT_HIDDEN, DEFAULT_INIT_SEED);
    }

    public ModelIdentity withHidden(int units) {
        return new ModelIdentity(name, encoder, units, initSeed);
    }

    /** The network's shape for an action space of {@code actions}. */
    public QNetworkSpec spec(int actions) {
        return new QNetworkSpec(encoder, hidden, actions);
    }

    /** The version-0 weights every party starts from. */
    public QNetworkWeights untrained(int actions) {
        return QNetworkFactory.initialWeights(spec(actions), initSeed);
    }
}
