package dev.qstream.learner.service;

import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.transport.ModelSigner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Every knob of a learner instance besides the DQN update itself.
 *
 * @param instanceId           this learner's id
 * @param modelName            name of the model it publishes
 * @param vocabularySize       number of actions (the vocabulary the actors use)
 * @param vocabularyFingerprint SHA-256 of that vocabulary, written into every model header
 * @param encoder              state encoding (shared with the actors through the model header)
 * @param hidden               hidden units
 * @param initSeed             seed of the version-0 weights (the actors' default, so both start identical)
 * @param dqn                  the update's knobs
 * @param replayCapacity       transitions kept in replay
 * @param minReplay            transitions needed before the first update
 * @param samplesPerInsert     target ratio of sampled to inserted transitions
 * @param samplesPerInsertTolerance how many samples the learner may run ahead of the ratio before it waits
 * @param publishEveryUpdates  publish a version every N updates ...
 * @param publishEvery         ... or at least this often while updates happen
 * @param signer               signs published models; empty = unsigned (development only)
 * @param groupId              consumer group on the scored topic
 * @param seed                 sampling seed
 */
public record LearnerConfig(String instanceId, String modelName, int vocabularySize, String vocabularyFingerprint,
                            EncoderSpec encoder, int hidden, long initSeed, DqnConfig dqn, int replayCapacity,
                            int minReplay, double samplesPerInsert, double samplesPerInsertTolerance,
                            int publishEveryUpdates, Duration publishEvery, Optional<ModelSigner> signer,
                            String groupId, long seed) {

    public LearnerConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(dqn, "dqn");
        Objects.requireNonNull(signer, "signer");
        if (replayCapacity < 1 || minReplay < 1 || !(samplesPerInsert > 0) || samplesPerInsertTolerance < 0
                || publishEveryUpdates < 1) {
            throw new IllegalArgumentException("invalid learner settings: " + this);
        }
    }
}
