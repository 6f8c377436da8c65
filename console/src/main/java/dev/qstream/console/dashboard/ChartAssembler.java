package dev.qstream.console.dashboard;

import dev.qstream.console.telemetry.MetricPoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts lines whose points fall at different x values (instances report at their own moments) onto the one x axis
 * uPlot wants: the union of the lines' x values, with nulls where a line has no point (the page draws across them).
 */
final class ChartAssembler {

    /** A named line of points in time; {@code rightAxis}: drawn against the chart's second y axis. */
    record TimeLine(String label, List<MetricPoint> points, boolean rightAxis) {
        TimeLine(String label, List<MetricPoint> points) {
            this(label, points, false);
        }

        TimeLine onRightAxis() {
            return new TimeLine(label, points, true);
        }
    }

    private ChartAssembler() {
    }

    /** A chart over time, keeping at most the newest {@code maxPoints} x values. */
    static ChartData overTime(String title, String unit, List<TimeLine> lines, int maxPoints) {
        TreeMap<Long, Double[]> rows = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            for (MetricPoint p : lines.get(i).points()) {
                if (Double.isFinite(p.value())) {
                    rows.computeIfAbsent(p.timeMillis(), t -> new Double[lines.size()])[i] = p.value();
                }
            }
        }
        while (rows.size() > maxPoints) {
            rows.pollFirstEntry();
        }
        List<Double> xs = new ArrayList<>(rows.size());
        rows.keySet().forEach(t -> xs.add(t / 1000.0));
        List<ChartData.Line> columns = columns(lines.stream().map(TimeLine::label).toList(), rows);
        List<ChartData.Line> placed = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            placed.add(new ChartData.Line(columns.get(i).label(), columns.get(i).values(), lines.get(i).rightAxis()));
        }
        return new ChartData(title, ChartData.TIME, unit, xs, placed);
    }

    /** A chart over a numeric x (e.g. model version): {@code rows} maps x to each line's value by label. */
    static ChartData overNumber(String title, String xKind, String unit, List<String> labels,
                                TreeMap<Long, Map<String, Double>> rows) {
        TreeMap<Long, Double[]> aligned = new TreeMap<>();
        rows.forEach((x, values) -> {
            Double[] row = new Double[labels.size()];
            for (int i = 0; i < labels.size(); i++) {
                Double v = values.get(labels.get(i));
                row[i] = v != null && Double.isFinite(v) ? v : null;
            }
            aligned.put(x, row);
        });
        List<Double> xs = new ArrayList<>();
        aligned.keySet().forEach(x -> xs.add(x.doubleValue()));
        return new ChartData(title, xKind, unit, xs, columns(labels, aligned));
    }

    private static List<ChartData.Line> columns(List<String> labels, TreeMap<Long, Double[]> rows) {
        List<ChartData.Line> out = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            List<Double> values = new ArrayList<>(rows.size());
            for (Double[] row : rows.values()) {
                values.add(row[i]);
            }
            out.add(new ChartData.Line(labels.get(i), values, false));
        }
        return out;
    }
}
