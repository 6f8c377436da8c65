package dev.qstream.runtime.deployment;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class CanaryAssignmentTest {

    @Test
    void theShareIsDeterministicPerEpisodeAndUniformOverRandomIds() {
        int[] buckets = new int[10];
        for (int i = 0; i < 50_000; i++) {
            String id = UUID.randomUUID().toString();
            double p = CanaryAssignment.position(id);
            assertThat(p).isGreaterThanOrEqualTo(0).isLessThan(1);
            assertThat(CanaryAssignment.position(id)).isEqualTo(p);
            buckets[(int) (p * 10)]++;
        }
        for (int b : buckets) {
            assertThat(b).isBetween(4_600, 5_400); // 5,000 expected; 5.6 standard deviations either side
        }
    }

    @Test
    void aWiderShareKeepsTheEpisodesOfANarrowerOne() {
        for (int i = 0; i < 1_000; i++) {
            String id = UUID.randomUUID().toString();
            if (CanaryAssignment.inCanary(id, 0.05)) {
                assertThat(CanaryAssignment.inCanary(id, 0.2)).isTrue();
            }
            assertThat(CanaryAssignment.inCanary(id, 0.0)).isFalse();
            assertThat(CanaryAssignment.inCanary(id, 1.0)).isTrue();
        }
    }
}
