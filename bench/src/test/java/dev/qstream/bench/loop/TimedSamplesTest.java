package dev.qstream.bench.loop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TimedSamplesTest {

    @Test
    void percentileIsTheNearestRankOfTheValuesInsideTheRange() {
        TimedSamples lags = new TimedSamples();
        for (int i = 1; i <= 100; i++) {
            lags.add(1_000 + i, i); // values 1..100 stamped 1001..1100
        }
        lags.add(5_000, 1e9); // outside the range asked below: must not count
        assertThat(lags.percentile(1_001, 1_101, 99)).isEqualTo(99);
        assertThat(lags.percentile(1_001, 1_101, 50)).isEqualTo(50);
        assertThat(lags.percentile(1_001, 1_101, 100)).isEqualTo(100);
        assertThat(lags.percentile(1_051, 1_061, 99)).isEqualTo(60); // 51..60 only
        assertThat(lags.count(1_001, 1_101)).isEqualTo(100);
        assertThat(lags.percentile(10_000, 20_000, 99)).isNaN();
    }

    @Test
    void aSteadyLagDoesNotGrowAndABuildingOneDoes() {
        TimedSamples steady = new TimedSamples();
        TimedSamples building = new TimedSamples();
        for (long t = 0; t < 30_000; t += 10) {
            steady.add(t, 5.0 + (t % 100) / 1000.0); // 5 s, wobbling by under 0.1 s
            building.add(t, 5.0 + t / 1000.0); // falls behind one second per second
        }
        assertThat(steady.growth(0, 30_000, 99)).isCloseTo(0, within(0.1));
        // the last third's p99 (~35 s) minus the first third's (~15 s)
        assertThat(building.growth(0, 30_000, 99)).isCloseTo(20, within(0.5));
        assertThat(building.firstThird(0, 30_000, 99)).isCloseTo(14.9, within(0.2));
    }

    @Test
    void rateOfACounterIsItsRiseBetweenTheFirstAndLastSamplesInTheRange() {
        TimedSamples updates = new TimedSamples();
        updates.add(0, 100);
        updates.add(5_000, 150); // the range starts here
        updates.add(10_000, 200);
        updates.add(15_000, 260); // and ends here
        updates.add(20_000, 1_000);
        assertThat(updates.ratePerSecond(5_000, 20_000)).isCloseTo(11.0, within(1e-9)); // (260 - 150) / 10 s
        assertThat(updates.ratePerSecond(5_000, 6_000)).isNaN(); // one sample: no rate
        assertThat(updates.increase(5_000, 20_000)).isEqualTo(110);
        assertThat(updates.increase(30_000, 40_000)).isNaN();
        assertThat(updates.mean(5_000, 20_000)).isCloseTo(610.0 / 3, within(1e-9));
        assertThat(updates.max(0, 20_000)).isEqualTo(260);
        assertThat(updates.min(5_000, 20_000)).isEqualTo(150);
    }

    @Test
    void refusesAPercentileOutsideZeroToHundred() {
        assertThatThrownBy(() -> TimedSamples.nearestRank(new double[]{1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimedSamples.nearestRank(new double[]{1}, 101)).isInstanceOf(IllegalArgumentException.class);
    }
}
