package dev.qstream.policy.network;

import dev.qstream.policy.state.EncoderSpec;

import java.util.Objects;

/**
 * Shape of the Q-network: encoded state (inputs) → hidden ReLU layer → one Q-value per token of the vocabulary.
 * The benchmark reference is 100 → 256 → 10,000.
 */
public record QNetworkSpec(EncoderSpec encoder, int hidden, int actions) {

    public QNetworkSpec {
        Objects.requireNonNull(encoder, "encoder");
        if (hidden < 1 || actions < 2) {
            throw new IllegalArgumentException("hidden must be >= 1 and actions >= 2: " + hidden + ", " + actions);
        }
    }

    public int inputs() {
        return encoder.size();
    }

    public long parameterCount() {
        return (long) inputs() * hidden + hidden + (long) actions * hidden + actions;
    }
}
