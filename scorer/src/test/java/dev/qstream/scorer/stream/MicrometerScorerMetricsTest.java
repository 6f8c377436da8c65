package dev.qstream.scorer.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MicrometerScorerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final MicrometerScorerMetrics metrics = new MicrometerScorerMetrics(registry, clock::get);

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void ratesAreFractionsOfTheRecentOutcomes() {
        assertThat(gauge("scorer.feedback.join.hit.rate")).isNaN(); // nothing to say yet
        metrics.windowClosed(2);
        metrics.windowClosed(0);
        metrics.windowClosed(1);
        metrics.windowClosed(0);
        assertThat(gauge("scorer.feedback.join.hit.rate")).isEqualTo(0.5);
        metrics.lateFeedback(); // 3 joined events, 1 late
        assertThat(gauge("scorer.feedback.late.rate")).isEqualTo(0.25);
        metrics.episodeScored(1, 0.5, 10, true);
        metrics.episodeScored(1, 0.5, 10, false);
        metrics.episodeScored(1, 0.5, 10, false);
        metrics.episodeScored(1, 0.5, 10, false);
        assertThat(gauge("scorer.reward.default.rate")).isEqualTo(0.25);
        assertThat(registry.get("scorer.transitions").counter().count()).isEqualTo(40);
        assertThat(registry.get("scorer.feedback.joined").counter().count()).isEqualTo(3);
    }

    @Test
    void recentMeansTheLastThousandOutcomes() {
        MicrometerScorerMetrics.RecentFraction f = new MicrometerScorerMetrics.RecentFraction(4);
        f.add(true);
        f.add(true);
        f.add(true);
        f.add(true);
        f.add(false);
        f.add(false);
        assertThat(f.value()).isEqualTo(0.5);
        assertThat(MicrometerScorerMetrics.RECENT).isEqualTo(1000);
    }

    @Test
    void episodesPerSecondCountsTheLastWholeSeconds() {
        for (int s = 0; s < 12; s++) {
            for (int i = 0; i < 30; i++) {
                metrics.episodeScored(1, 0, 1, false);
            }
            clock.addAndGet(1000);
        }
        metrics.episodeScored(1, 0, 1, false); // in the second still filling up: not counted yet
        assertThat(gauge("scorer.episodes.per.second")).isCloseTo(30, within(1e-9));
        clock.addAndGet(60_000);
        assertThat(gauge("scorer.episodes.per.second")).isZero();
    }

    @Test
    void meanRewardIsTaggedByTheNewestVersionsOnly() {
        for (long v = 1; v <= 10; v++) {
            metrics.episodeScored(v, v, 1, false);
            metrics.episodeScored(v, v + 1, 1, false);
        }
        assertThat(metrics.versions()).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(registry.find("scorer.reward.mean").gauges()).hasSize(MicrometerScorerMetrics.VERSIONS);
        assertThat(registry.get("scorer.reward.mean").tag("version", "10").gauge().value()).isEqualTo(10.5);
        assertThat(registry.find("scorer.reward.mean").tag("version", "2").gauge()).isNull();
        metrics.episodeScored(1, 100, 1, false); // a straggler from a retired version adds no gauge
        assertThat(metrics.versions()).doesNotContain(1L);
    }

    @Test
    void lagIsTheLatestObservation() {
        metrics.processingLag(1200);
        metrics.processingLag(35);
        assertThat(gauge("scorer.processing.lag.ms")).isEqualTo(35);
    }
}
