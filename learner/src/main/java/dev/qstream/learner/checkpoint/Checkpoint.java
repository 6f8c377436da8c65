package dev.qstream.learner.checkpoint;

import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.policy.network.QNetworkWeights;

import java.util.Map;

/**
 * Everything the learner needs to resume exactly where it was: the networks and optimizer, the version it last
 * published, the replay contents, and the positions in Kafka right after the last record the replay reflects.
 *
 * @param modelVersion          newest version published when the checkpoint was taken
 * @param updates               updates done (Adam's step count)
 * @param sampled               transitions sampled so far (the rate limiter's counter)
 * @param vocabularyFingerprint vocabulary the output layer indexes
 * @param positions             "topic/partition" → next offset to read; everything before it is in this checkpoint
 */
public record Checkpoint(long modelVersion, long updates, long sampled, String vocabularyFingerprint,
                         QNetworkWeights online, QNetworkWeights target, QNetworkWeights adamM, QNetworkWeights adamV,
                         ReplayBuffer.Snapshot replay, Map<String, Long> positions, long createdAtMillis) {

    public static String positionKey(String topic, int partition) {
        return topic + "/" + partition;
    }
}
