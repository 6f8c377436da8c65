package dev.qstream.learner.checkpoint;

import dev.qstream.learner.deploy.TrialTally;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.replay.ReplayBuffer;

import java.util.Map;

/**
 * Everything the learner needs to resume exactly where it was: the networks and optimizer, the version it last
 * published, the replay contents, and the positions in Kafka right after the last record the replay reflects.
 *
 * @param modelVersion          newest version published when the checkpoint was taken
 * @param learner               networks and optimizer (with the update count)
 * @param sampled               transitions sampled so far (the rate limiter's counter)
 * @param vocabularyFingerprint vocabulary the output layer indexes
 * @param positions             "topic/partition" → next offset to read; everything before it is in this checkpoint
 */
public record Checkpoint(long modelVersion, long sampled, String vocabularyFingerprint, DqnUpdate.State learner,
                         ReplayBuffer.Snapshot replay, Map<String, Long> positions, long createdAtMillis,
                         TrialTally.Snapshot trial) {

    /** A checkpoint without a promotion-gate trial. */
    public Checkpoint(long modelVersion, long sampled, String vocabularyFingerprint, DqnUpdate.State learner,
                      ReplayBuffer.Snapshot replay, Map<String, Long> positions, long createdAtMillis) {
        this(modelVersion, sampled, vocabularyFingerprint, learner, replay, positions, createdAtMillis, null);
    }

    public long updates() {
        return learner.updates();
    }

    public static String positionKey(String topic, int partition) {
        return topic + "/" + partition;
    }
}
