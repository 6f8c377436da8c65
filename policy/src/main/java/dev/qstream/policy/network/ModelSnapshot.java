package dev.qstream.policy.network;

import java.util.Objects;

/**
 * A versioned model: weights plus what says where they come from and what they fit. Version 0 is the untrained
 * initialisation every actor can build by itself.
 *
 * @param vocabularyFingerprint SHA-256 hex of the vocabulary the output layer indexes
 */
public record ModelSnapshot(long version, long parentVersion, String vocabularyFingerprint, QNetworkWeights weights) {

    public ModelSnapshot {
        Objects.requireNonNull(vocabularyFingerprint, "vocabularyFingerprint");
        Objects.requireNonNull(weights, "weights");
        if (!vocabularyFingerprint.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("vocabulary fingerprint must be 64 hex digits");
        }
    }

    public QNetworkSpec spec() {
        return weights.spec();
    }
}
