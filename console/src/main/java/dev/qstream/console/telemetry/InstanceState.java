package dev.qstream.console.telemetry;

/** Whether one service instance is alive, judged by its heartbeats on the metrics topic. */
public record InstanceState(String source, String instanceId, long lastHeartbeatMillis, long intervalMillis,
                            long silentMillis, boolean up) {
}
