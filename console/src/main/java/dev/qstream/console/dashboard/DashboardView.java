package dev.qstream.console.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.console.telemetry.LoopHealth;
import dev.qstream.console.telemetry.LoopTelemetry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The page's data as one JSON document: the health header, every chart, the instance, lag and dead-letter tables,
 * recent generations and deployment decisions, and the names of every metric seen (for the explorer). Built once per push and sent to every
 * open page.
 */
final class DashboardView {

    static final int GENERATION_ROWS = 25;
    static final int DEPLOYMENT_ROWS = 15;

    private final ObjectMapper json = new ObjectMapper();
    private final LoopTelemetry telemetry;
    private final LagMonitor lag;
    private final DashboardCharts charts;
    private final long historySeconds;

    DashboardView(LoopTelemetry telemetry, LagMonitor lag, long historySeconds) {
        this.telemetry = telemetry;
        this.lag = lag;
        this.charts = new DashboardCharts(telemetry, lag);
        this.historySeconds = historySeconds;
    }

    Map<String, Object> snapshot(long nowMillis) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("health", LoopHealth.from(telemetry, lag.latest(), lag.error(), nowMillis, historySeconds));
        view.put("charts", charts.all());
        view.put("deadLetterCounts", telemetry.deadLetters().counts());
        view.put("newestDeadLetters", telemetry.deadLetters().newest(10));
        view.put("generations", telemetry.generations().recent(GENERATION_ROWS));
        view.put("deployments", telemetry.deployments().newest(DEPLOYMENT_ROWS));
        view.put("metricNames", telemetry.metrics().names());
        return view;
    }

    String snapshotJson(long nowMillis) {
        return write(snapshot(nowMillis));
    }

    List<String> metricNames() {
        return telemetry.metrics().names();
    }

    String exploreJson(String metricName) {
        return write(charts.explore(metricName));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the dashboard view: " + e.getMessage(), e);
        }
    }
}
