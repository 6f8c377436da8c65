package dev.qstream.console.dashboard;

import dev.qstream.console.telemetry.MetricPoint;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ChartAssemblerTest {

    @Test
    void linesAtDifferentMomentsShareOneAxisWithGaps() {
        ChartData chart = ChartAssembler.overTime("t", "", List.of(
                new ChartAssembler.TimeLine("a", List.of(new MetricPoint(1_000, 1), new MetricPoint(3_000, 3))),
                new ChartAssembler.TimeLine("b", List.of(new MetricPoint(2_000, 20), new MetricPoint(3_000, Double.NaN)))), 100);
        assertThat(chart.xKind()).isEqualTo(ChartData.TIME);
        assertThat(chart.xs()).containsExactly(1.0, 2.0, 3.0);
        assertThat(chart.lines().get(0).values()).containsExactly(1.0, null, 3.0);
        assertThat(chart.lines().get(1).values()).containsExactly(null, 20.0, null);
        assertThat(chart.points()).isEqualTo(3);
    }

    @Test
    void onlyTheNewestPointsAreKept() {
        ChartData chart = ChartAssembler.overTime("t", "", List.of(new ChartAssembler.TimeLine("a",
                List.of(new MetricPoint(1_000, 1), new MetricPoint(2_000, 2), new MetricPoint(3_000, 3)))), 2);
        assertThat(chart.xs()).containsExactly(2.0, 3.0);
    }

    @Test
    void numericChartsAlignByLabel() {
        TreeMap<Long, Map<String, Double>> rows = new TreeMap<>();
        rows.put(3L, Map.of("ROUGE-L F", 0.4));
        rows.put(1L, Map.of("ROUGE-L F", 0.1, "BLEU/100", 0.05));
        ChartData chart = ChartAssembler.overNumber("held out", ChartData.VERSION, "", List.of("ROUGE-L F", "BLEU/100"), rows);
        assertThat(chart.xs()).containsExactly(1.0, 3.0);
        assertThat(chart.lines().get(0).values()).containsExactly(0.1, 0.4);
        assertThat(chart.lines().get(1).values()).isEqualTo(Arrays.asList(0.05, null));
    }
}
