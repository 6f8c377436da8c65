package dev.qstream.console.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link LearningCurve} to a PNG with XChart: two panels side by side, the same curves against time and
 * against learner updates. Rendering is headless (no display needed).
 */
public final class LearningCurvePlot {

    static final int PANEL_WIDTH = 800;
    static final int PANEL_HEIGHT = 500;
    private static final int MAX_POINTS = 300;
    private static final Color REWARD = new Color(31, 119, 180);
    private static final Color HELD_OUT = new Color(214, 39, 40);

    private LearningCurvePlot() {
    }

    /**
     * @throws IllegalStateException when there is nothing to draw (no scored episode and no evaluation)
     */
    public static void write(LearningCurve curve, Path png, String title) throws IOException {
        if (!png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("the output file must end in .png: " + png);
        }
        if (curve.episodes() == 0 && curve.evaluations() == 0) {
            throw new IllegalStateException("no scored episodes and no held-out evaluations in what was read; nothing to plot");
        }
        System.setProperty("java.awt.headless", "true");
        XYChart byTime = panel(title + " · against time", "minutes since the first episode",
                curve.rewardOverTime(MAX_POINTS), curve.heldOutOverTime());
        XYChart byUpdates = panel(title + " · against learner updates",
                curve.knowsUpdates() ? "learner updates" : "learner updates (no learner.updates metric found)",
                curve.rewardOverUpdates(MAX_POINTS), curve.heldOutOverUpdates());
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(List.of(byTime, byUpdates), 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static XYChart panel(String title, String xTitle, LearningCurve.Curve reward, LearningCurve.Curve heldOut) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle("reward / ROUGE-L F").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#,##0.#");
        chart.getStyler().setYAxisDecimalPattern("0.00");
        if (reward.size() > 0) {
            XYSeries s = chart.addSeries("mean episode reward (generations)", reward.x(), reward.y());
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(REWARD);
        }
        if (heldOut.size() > 0) {
            XYSeries s = chart.addSeries("held-out ROUGE-L F (eval split, greedy)", heldOut.x(), heldOut.y());
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(HELD_OUT);
            s.setLineColor(HELD_OUT);
        }
        if (reward.size() == 0 && heldOut.size() == 0) {
            // XChart cannot draw an empty chart; one invisible point keeps the panel and its axis titles.
            XYSeries s = chart.addSeries("no data on this axis", new double[]{0}, new double[]{0});
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
