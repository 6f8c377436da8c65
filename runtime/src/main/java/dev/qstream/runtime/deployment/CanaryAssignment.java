package dev.qstream.runtime.deployment;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which episodes belong to the canary share: a hash of the episode id (Kafka's murmur2, the partitioner's hash)
 * mapped onto [0, 1). Deterministic, so every actor instance, a restarted actor and an auditor reading the topics
 * all agree which version an episode was meant for; uniform, so the canary sees a fair sample of the traffic.
 */
public final class CanaryAssignment {

    private CanaryAssignment() {
    }

    /** The episode's position in [0, 1). */
    public static double position(String episodeId) {
        int hash = Utils.toPositive(Utils.murmur2(episodeId.getBytes(StandardCharsets.UTF_8)));
        return hash / (double) (1L << 31);
    }

    /** True when the episode falls in the first {@code fraction} of the unit interval. */
    public static boolean inCanary(String episodeId, double fraction) {
        return position(episodeId) < fraction;
    }
}
