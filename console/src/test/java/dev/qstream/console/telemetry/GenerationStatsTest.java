package dev.qstream.console.telemetry;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.qstream.console.telemetry.TelemetryFixtures.episode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class GenerationStatsTest {

    @Test
    void rewardsCountOnceFromTheScoredCopyPerVersionAndPerTimeBucket() {
        GenerationStats stats = new GenerationStats(10_000, 100, 10);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        stats.accept(episode(a, 1, null, 1_000));   // the actor's unscored summary
        stats.accept(episode(a, 1, 0.2, 2_000));    // the scorer's
        stats.accept(episode(b, 1, 0.4, 3_000));
        stats.accept(episode(c, 2, 0.9, 12_000));
        assertThat(stats.byVersion()).extracting(GenerationStats.VersionReward::version, GenerationStats.VersionReward::episodes)
                .containsExactly(tuple(1L, 2L), tuple(2L, 1L));
        assertThat(stats.byVersion().get(0).meanReward()).isCloseTo(0.3, within(1e-9));
        assertThat(stats.overTime()).extracting(GenerationStats.RewardBucket::startMillis).containsExactly(0L, 10_000L);
        assertThat(stats.scoredEpisodes()).isEqualTo(3);
        assertThat(stats.recentMeanReward(1)).isCloseTo(0.9, within(1e-9));
    }

    @Test
    void theTableShowsNewestFirstAndAScoredRowReplacesItsUnscoredOne() {
        GenerationStats stats = new GenerationStats(10_000, 100, 2);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        stats.accept(episode(a, 1, null, 1_000));
        stats.accept(episode(b, 1, null, 2_000));
        stats.accept(episode(b, 1, 0.5, 3_000));
        assertThat(stats.recent(10)).extracting(GenerationStats.Generation::episodeId, GenerationStats.Generation::reward)
                .containsExactly(tuple(b.toString(), 0.5),
                        tuple(a.toString(), null));
        stats.accept(episode(c, 1, null, 4_000)); // table of 2: the oldest row goes
        assertThat(stats.recent(10)).extracting(GenerationStats.Generation::episodeId).containsExactly(c.toString(), b.toString());
    }
}
