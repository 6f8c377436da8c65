package dev.qstream.console.dashboard;

import java.util.List;

/**
 * One chart as the page draws it with uPlot: a shared x axis ({@code time} in epoch seconds, or a plain number such
 * as a model version) and one y series per line, null where a line has no point at that x.
 */
public record ChartData(String title, String xKind, String unit, List<Double> xs, List<Line> lines) {

    public static final String TIME = "time";
    public static final String VERSION = "version";

    /**
     * One line of a chart.
     *
     * @param rightAxis drawn against a second y axis on the right, for a line whose scale dwarfs or is dwarfed by
     *                  the others' (samples/s next to updates/s)
     */
    public record Line(String label, List<Double> values, boolean rightAxis) {
    }

    /** Points in the chart (non-null y values over every line): what the browser test checks. */
    public int points() {
        int n = 0;
        for (Line l : lines) {
            for (Double v : l.values()) {
                if (v != null) {
                    n++;
                }
            }
        }
        return n;
    }
}
