package dev.qstream.console.dashboard;

import dev.qstream.runtime.kafka.ConsumerLagReader;
import dev.qstream.console.telemetry.GenerationStats;
import dev.qstream.console.telemetry.LoopTelemetry;
import dev.qstream.runtime.http.BearerToken;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The live dashboard of one loop: reads the loop's topics ({@link DashboardFeed}), polls consumer lag
 * ({@link LagMonitor}), and serves the page, its server-sent events, the feedback endpoint and Prometheus metrics
 * on one Javalin (Jetty) server. As an ops service it also reports its own meters and heartbeat to the metrics topic.
 */
public final class DashboardServer implements AutoCloseable {

    /**
     * @param exposure   interface to bind and the bearer token every route but {@code /healthz} then requires
     *                   (loopback by default; another interface needs a token or an explicit --insecure)
     * @param port       0 picks a free port
     * @param history    how far back the topics are read at start
     * @param pushEvery  how often open pages get a new view
     * @param instanceId this ops instance's id on the metrics topic
     * @param rejectUnknownFeedback refuse feedback for episode ids not seen on the generations topic
     */
    public record Options(HttpExposure exposure, int port, Duration history, Duration pushEvery, String instanceId,
                          boolean rejectUnknownFeedback) {
        public Options {
            Objects.requireNonNull(exposure, "exposure");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("dashboard port must be in [0, 65535], got " + port);
            }
            if (history.isNegative() || history.isZero()) {
                throw new IllegalArgumentException("dashboard history must be positive");
            }
            if (pushEvery.toMillis() < 100) {
                throw new IllegalArgumentException("dashboard push interval must be at least 100 ms");
            }
        }

        /** A dashboard on loopback with the given token (none = open to this machine only), any episode id. */
        public static Options loopback(int port, Optional<BearerToken> token) {
            return new Options(HttpExposure.loopback(token), port, Duration.ofMinutes(30), Duration.ofSeconds(2), "ops-1", false);
        }

        public String host() {
            return exposure.host();
        }

        public Optional<BearerToken> token() {
            return exposure.token();
        }
    }

    private final ServiceContext context;
    private final LoopTelemetry telemetry;
    private final DashboardFeed feed;
    private final LagMonitor lag;
    private final SsePublisher sse;
    private final FeedbackEndpoint feedback;
    private final Javalin app;
    private final String host;

    private DashboardServer(KafkaSettings settings, Options options) {
        this.host = options.host();
        this.context = ServiceContext.start(settings, "ops", options.instanceId(), Duration.ofSeconds(30),
                ServiceContext.DEFAULT_METRICS_INTERVAL);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            this.telemetry = LoopTelemetry.live(settings);
            String group = settings.layout().prefix() + "-dashboard";
            this.feed = track(started, new DashboardFeed(settings, group, context.clientId("dashboard-feed"), telemetry,
                    context.deadLetters(), options.history()).start());
            this.lag = track(started, new LagMonitor(new ConsumerLagReader(settings, context.clientId("lag")),
                    Duration.ofSeconds(5), DashboardCharts.MAX_POINTS, context.registry()).start());
            DashboardView view = new DashboardView(telemetry, lag, options.history().toSeconds());
            this.sse = track(started, new SsePublisher(() -> view.snapshotJson(System.currentTimeMillis()), options.pushEvery()));
            GenerationStats generations = telemetry.generations();
            this.feedback = track(started, new FeedbackEndpoint(settings, context.clientId("feedback"), context.registry(),
                    options.rejectUnknownFeedback() ? generations::produced : id -> true, generations::heldBack));
            Gauge.builder("dashboard.sse.clients", sse, SsePublisher::clients).description("open dashboard pages")
                    .register(context.registry());
            DashboardRoutes routes = new DashboardRoutes(view, sse, feedback, context::scrape, feed::failure, options.token());
            this.app = startServer(routes, options);
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            context.close();
            throw e;
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> started, T closeable) {
        started.add(closeable);
        return closeable;
    }

    private static Javalin startServer(DashboardRoutes routes, Options options) {
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            routes.register(config);
        });
        try {
            return javalin.start(options.host(), options.port());
        } catch (RuntimeException e) {
            javalin.stop();
            throw new IllegalStateException("cannot serve the dashboard on " + options.host() + ":" + options.port()
                    + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /**
     * Starts the dashboard against a cluster.
     *
     * @throws IllegalStateException when the port cannot be bound
     * @throws dev.qstream.runtime.kafka.KafkaUnreachableException when Kafka does not answer
     */
    public static DashboardServer start(KafkaSettings settings, Options options) {
        return new DashboardServer(settings, options);
    }

    public int port() {
        return app.port();
    }

    /** The page's address (loopback when bound to every interface). */
    public String url() {
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "http://" + shown + ":" + port() + "/";
    }

    /** True once the topics' history that existed at start has been read. */
    public boolean caughtUp() {
        return feed.caughtUp();
    }

    public LoopTelemetry telemetry() {
        return telemetry;
    }

    @Override
    public void close() {
        sse.close();
        app.stop();
        feed.close();
        lag.close();
        feedback.close();
        context.close();
    }
}
