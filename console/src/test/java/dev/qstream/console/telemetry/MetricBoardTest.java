package dev.qstream.console.telemetry;

import dev.qstream.schemas.avro.MetricKind;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.qstream.console.telemetry.TelemetryFixtures.heartbeat;
import static dev.qstream.console.telemetry.TelemetryFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;

class MetricBoardTest {

    @Test
    void countersBecomeRatesPerSecondAndARestartGivesNoNegativeRate() {
        MetricBoard board = new MetricBoard(100);
        board.accept(metric("learner", "learner-1", "learner.updates", MetricKind.COUNTER, 100, 10_000));
        board.accept(metric("learner", "learner-1", "learner.updates", MetricKind.COUNTER, 150, 15_000));
        board.accept(metric("learner", "learner-1", "learner.updates", MetricKind.COUNTER, 20, 20_000)); // restarted
        board.accept(metric("learner", "learner-1", "learner.updates", MetricKind.COUNTER, 70, 25_000));
        MetricSeries s = board.named("learner.updates").get(0);
        assertThat(s.values()).extracting(MetricPoint::value).containsExactly(100.0, 150.0, 20.0, 70.0);
        assertThat(s.rates()).extracting(MetricPoint::value).containsExactly(10.0, 10.0);
        assertThat(board.latestRateSum("learner.updates", k -> true)).isEqualTo(10.0);
    }

    @Test
    void replayedSamplesAreIgnoredAndHistoryIsBounded() {
        MetricBoard board = new MetricBoard(3);
        for (int i = 1; i <= 5; i++) {
            board.accept(metric("actor", "actor-1", "actor.model.version", MetricKind.GAUGE, i, i * 1_000L));
        }
        board.accept(metric("actor", "actor-1", "actor.model.version", MetricKind.GAUGE, 99, 2_000)); // older: a replay
        assertThat(board.named("actor.model.version").get(0).values()).extracting(MetricPoint::value)
                .containsExactly(3.0, 4.0, 5.0);
    }

    @Test
    void eachInstanceAndTagCombinationIsItsOwnSeriesWithoutTheIdentityTags() {
        MetricBoard board = new MetricBoard(10);
        board.accept(metric("actor", "actor-2", "actor.token.latency", MetricKind.TIMER, 0.2, 1_000, "statistic", "p99"));
        board.accept(metric("actor", "actor-1", "actor.token.latency", MetricKind.TIMER, 0.1, 1_000, "statistic", "p50"));
        board.accept(metric("actor", "actor-1", "actor.token.latency", MetricKind.TIMER, 0.3, 1_000, "statistic", "p99"));
        assertThat(board.named("actor.token.latency")).extracting(s -> s.key().label())
                .containsExactly("actor-1 p50", "actor-1 p99", "actor-2 p99");
        assertThat(board.named("actor.token.latency").get(0).key().tags()).isEqualTo(Map.of("statistic", "p50"));
        assertThat(board.names()).containsExactly("actor.token.latency");
    }

    @Test
    void heartbeatsGoToLivenessNotToTheSeries() {
        MetricBoard board = new MetricBoard(10);
        board.accept(heartbeat("scorer", "scorer-1", 1_000, 5_000));
        assertThat(board.names()).isEmpty();
        assertThat(board.liveness().states(2_000)).singleElement()
                .satisfies(s -> {
                    assertThat(s.source()).isEqualTo("scorer");
                    assertThat(s.intervalMillis()).isEqualTo(5_000);
                    assertThat(s.up()).isTrue();
                });
    }

    @Test
    void nonFiniteValuesAreNotCharted() {
        MetricBoard board = new MetricBoard(10);
        board.accept(metric("learner", "learner-1", "learner.loss", MetricKind.GAUGE, Double.NaN, 1_000));
        assertThat(board.names()).isEmpty();
        assertThat(board.latestSum("learner.loss", k -> true)).isNaN();
    }
}
