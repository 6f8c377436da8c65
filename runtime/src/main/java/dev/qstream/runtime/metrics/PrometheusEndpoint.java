package dev.qstream.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} in Prometheus' text format for one service process, so Prometheus can scrape the same meters
 * the service mirrors to {@code qstream.metrics}.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} on purpose: a scrape endpoint answers one GET every few seconds
 * from one scraper, which that server handles comfortably, and it keeps Jetty and its version out of every service
 * (the actor brings its own HTTP server for its API; the dashboard uses Javalin). Micrometer's own Prometheus guide
 * serves {@code scrape()} the same way. One daemon thread answers requests; a slow scraper never touches the
 * service's threads.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);
    public static final String PATH = "/metrics";
    /** The Prometheus text exposition format, version 0.0.4 (what {@code scrape()} writes). */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String host;

    private PrometheusEndpoint(HttpServer server, ExecutorService executor, String host) {
        this.server = server;
        this.executor = executor;
        this.host = host;
    }

    /**
     * Starts serving.
     *
     * @param host   interface to bind ({@code 0.0.0.0} for every interface, as containers need)
     * @param port   port to bind; 0 picks a free one (see {@link #port()})
     * @param scrape produces the exposition text on each request
     * @throws IllegalStateException when the port is taken or the host cannot be bound
     */
    public static PrometheusEndpoint start(String host, int port, Supplier<String> scrape) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be in [0, 65535], got " + port);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            throw new IllegalStateException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "prometheus-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, scrape));
        server.start();
        return new PrometheusEndpoint(server, executor, host);
    }

    private static void handle(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!PATH.equals(path)) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: only " + PATH + " is served here\n");
            } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n");
            } else {
                String body;
                try {
                    body = scrape.get();
                } catch (RuntimeException e) {
                    LOG.warn("metrics scrape failed: {}", e.toString());
                    reply(exchange, 500, "text/plain; charset=utf-8", "scrape failed: " + e.getClass().getSimpleName() + "\n");
                    return;
                }
                reply(exchange, 200, CONTENT_TYPE, "HEAD".equals(exchange.getRequestMethod()) ? null : body);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The port actually bound (useful when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Where to scrape, as a URL (loopback when bound to every interface). */
    public String url() {
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "http://" + shown + ":" + port() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
