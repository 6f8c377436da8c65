package dev.qstream.console.telemetry;

/** A sample in time: when (epoch milliseconds) and its value. */
public record MetricPoint(long timeMillis, double value) {
}
