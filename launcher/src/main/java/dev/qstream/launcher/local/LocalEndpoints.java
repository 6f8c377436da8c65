package dev.qstream.launcher.local;

import dev.qstream.launcher.options.MetricsOptions;
import dev.qstream.console.dashboard.DashboardServer;
import dev.qstream.runtime.kafka.KafkaSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web side of {@code up}: starts the dashboard in the {@code up} process, learns where each child service serves
 * its Prometheus metrics (each binds a free port and prints the URL), prints every address, and writes a
 * {@code prometheus.yml} next to the logs that scrapes them all, for a local Prometheus.
 */
public final class LocalEndpoints implements AutoCloseable {

    private final DashboardServer dashboard;
    private final Map<String, String> metricsUrls;

    private LocalEndpoints(DashboardServer dashboard, Map<String, String> metricsUrls) {
        this.dashboard = dashboard;
        this.metricsUrls = metricsUrls;
    }

    /**
     * @param dashboardPort the dashboard's port; when it is taken, a free one is used instead (said so); -1: none
     * @param services      the child services (the broker is skipped: it has no metrics endpoint)
     */
    public static LocalEndpoints start(KafkaSettings settings, int dashboardPort, List<ChildJvm> services, Path dataDir)
            throws IOException, InterruptedException {
        DashboardServer dashboard = null;
        if (dashboardPort >= 0) {
            dashboard = startDashboard(settings, dashboardPort);
        }
        try {
            Map<String, String> urls = new LinkedHashMap<>();
            for (ChildJvm child : services) {
                if (!child.name().equals("broker")) {
                    urls.put(child.name(), child.awaitLine(MetricsOptions.READY_PREFIX, Duration.ofSeconds(90)));
                }
            }
            if (dashboard != null) {
                urls.put("ops", dashboard.url() + "metrics");
            }
            Files.writeString(dataDir.resolve("prometheus.yml"), prometheusConfig(urls));
            return new LocalEndpoints(dashboard, urls);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (dashboard != null) {
                dashboard.close();
            }
            throw e;
        }
    }

    private static DashboardServer startDashboard(KafkaSettings settings, int port) {
        try {
            return DashboardServer.start(settings, DashboardServer.Options.defaults(port));
        } catch (IllegalStateException e) {
            if (port == 0) {
                throw e;
            }
            say("dashboard port %d is taken (%s); using a free port instead", port, e.getMessage());
            return DashboardServer.start(settings, DashboardServer.Options.defaults(0));
        }
    }

    /** A Prometheus scrape config with one job per service and the instance label set to the service name. */
    static String prometheusConfig(Map<String, String> metricsUrls) {
        StringBuilder sb = new StringBuilder("""
                # Written by ./qstream up: scrape every service of this local loop.
                # Run: prometheus --config.file=prometheus.yml
                global:
                  scrape_interval: 5s
                scrape_configs:
                """);
        metricsUrls.forEach((name, url) -> {
            String hostPort = url.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
            String job = name.replaceFirst("-\\d+$", "");
            sb.append("  - job_name: ").append(name).append('\n')
                    .append("    honor_labels: true\n")
                    .append("    static_configs:\n")
                    .append("      - targets: ['").append(hostPort).append("']\n")
                    .append("        labels: {service: ").append(job).append("}\n");
        });
        return sb.toString();
    }

    /** Prints the dashboard's and every service's address. */
    public void print(Path dataDir) {
        if (dashboard != null) {
            say("dashboard: %s", dashboard.url());
        }
        StringBuilder sb = new StringBuilder();
        metricsUrls.forEach((name, url) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ').append(url));
        say("Prometheus endpoints: %s (scrape config: %s)", sb, dataDir.resolve("prometheus.yml"));
    }

    private static void say(String format, Object... args) {
        System.err.println("[qstream up] " + String.format(format, args));
    }

    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
    }
}
