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
import java.util.Optional;

/**
 * The web side of {@code up}: starts the dashboard in the {@code up} process, learns where each child service serves
 * its Prometheus metrics (each binds a free port and prints the URL), prints every address, and writes a
 * {@code prometheus.yml} next to the logs that scrapes them all, for a local Prometheus.
 */
public final class LocalEndpoints implements AutoCloseable {

    private final DashboardServer dashboard;
    private final Map<String, String> metricsUrls;
    private final LocalToken token;

    private LocalEndpoints(DashboardServer dashboard, Map<String, String> metricsUrls, LocalToken token) {
        this.dashboard = dashboard;
        this.metricsUrls = metricsUrls;
        this.token = token;
    }

    /**
     * @param dashboardPort the dashboard's port; when it is taken, a free one is used instead (said so); -1: none
     * @param token         the run's token: the dashboard requires it, the scrape config sends it to the dashboard
     * @param services      the child services (the brokers are skipped: they have no metrics endpoint)
     */
    public static LocalEndpoints start(KafkaSettings settings, int dashboardPort, LocalToken token, List<ChildJvm> services,
                                       Path dataDir) throws IOException, InterruptedException {
        DashboardServer dashboard = null;
        if (dashboardPort >= 0) {
            dashboard = startDashboard(settings, dashboardPort, token);
        }
        try {
            Map<String, String> urls = new LinkedHashMap<>();
            for (ChildJvm child : services) {
                if (!LocalBrokers.isBroker(child)) {
                    urls.put(child.name(), child.awaitLine(MetricsOptions.READY_PREFIX, Duration.ofSeconds(90)));
                }
            }
            if (dashboard != null) {
                urls.put("ops", dashboard.url() + "metrics");
            }
            Files.writeString(dataDir.resolve("prometheus.yml"), prometheusConfig(urls, Map.of("ops", token.file())));
            return new LocalEndpoints(dashboard, urls, token);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (dashboard != null) {
                dashboard.close();
            }
            throw e;
        }
    }

    private static DashboardServer startDashboard(KafkaSettings settings, int port, LocalToken token) {
        try {
            return DashboardServer.start(settings, DashboardServer.Options.loopback(port, Optional.of(token.bearer())));
        } catch (IllegalStateException e) {
            if (port == 0) {
                throw e;
            }
            say("dashboard port %d is taken (%s); using a free port instead", port, e.getMessage());
            return DashboardServer.start(settings, DashboardServer.Options.loopback(0, Optional.of(token.bearer())));
        }
    }

    /**
     * A Prometheus scrape config with one job per service and the instance label set to the service name; a service
     * in {@code tokenFiles} (the dashboard, whose /metrics sits behind its token) is scraped with that bearer token.
     */
    static String prometheusConfig(Map<String, String> metricsUrls, Map<String, Path> tokenFiles) {
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
            Path tokenFile = tokenFiles.get(name);
            if (tokenFile != null) {
                sb.append("    authorization:\n")
                        .append("      credentials_file: ").append(tokenFile.toAbsolutePath()).append('\n');
            }
        });
        return sb.toString();
    }

    /** Prints the dashboard's and every service's address. */
    public void print(Path dataDir) {
        if (dashboard != null) {
            say("dashboard: %s (the token is in %s; the page keeps it as a cookie)", token.dashboardUrl(dashboard.url()), token.file());
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
