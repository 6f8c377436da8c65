package dev.qstream.console.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.runtime.http.BearerToken;
import dev.qstream.runtime.metrics.PrometheusEndpoint;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.webjars.WebJarVersionLocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The dashboard's HTTP surface:
 * <ul>
 *   <li>{@code GET /}: the page; {@code /static/*}: its script and styles; {@code /webjars/*}: uPlot from its WebJar</li>
 *   <li>{@code GET /api/events}: server-sent events, one {@code snapshot} per push</li>
 *   <li>{@code GET /api/snapshot}: the same document once (for scripts and curl)</li>
 *   <li>{@code GET /api/explore?name=METRIC}: a chart of any metric seen</li>
 *   <li>{@code POST /api/feedback}: thumbs up/down for an episode</li>
 *   <li>{@code GET /metrics}: the ops process's own meters for Prometheus; {@code GET /healthz}</li>
 * </ul>
 * Errors are JSON {@code {"error": "..."}} with a 4xx/5xx status, never a stack trace. Request bodies are capped at
 * {@value #MAX_REQUEST_BYTES} bytes. With a token configured, every route but {@code /healthz} needs it: as
 * {@code Authorization: Bearer <token>} (scripts, Prometheus), or as the cookie a browser gets by opening
 * {@code /?token=<token>} once (a page cannot put headers on its event stream).
 */
final class DashboardRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DashboardView view;
    private final SsePublisher sse;
    private final FeedbackEndpoint feedback;
    private final Supplier<String> scrape;
    private final Supplier<String> failure;
    private final String page;
    private final Optional<BearerToken> token;

    static final long MAX_REQUEST_BYTES = 16 * 1024;
    static final String TOKEN_COOKIE = "qstream_token";

    DashboardRoutes(DashboardView view, SsePublisher sse, FeedbackEndpoint feedback, Supplier<String> scrape,
                    Supplier<String> failure, Optional<BearerToken> token) {
        this.token = token;
        this.view = view;
        this.sse = sse;
        this.feedback = feedback;
        this.scrape = scrape;
        this.failure = failure;
        this.page = renderPage();
    }

    /** The page with the uPlot WebJar's versioned paths filled in, so a dependency bump needs no page edit. */
    private static String renderPage() {
        WebJarVersionLocator webjars = new WebJarVersionLocator();
        String js = webjars.path("uplot", "dist/uPlot.iife.min.js");
        String css = webjars.path("uplot", "dist/uPlot.min.css");
        if (js == null || css == null) {
            throw new IllegalStateException("the uPlot WebJar is not on the class path");
        }
        return resource("/dashboard/index.html")
                .replace("{{uplotJs}}", "/webjars/" + js)
                .replace("{{uplotCss}}", "/webjars/" + css);
    }

    private static String resource(String path) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void register(JavalinConfig config) {
        config.http.maxRequestSize = MAX_REQUEST_BYTES;
        config.routes.before(this::authorize);
        config.staticFiles.enableWebjars();
        config.staticFiles.add(files -> {
            files.hostedPath = "/static";
            files.directory = "/dashboard/static";
            files.location = Location.CLASSPATH;
        });
        config.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
        config.routes.sse("/api/events", sse::join);
        config.routes.get("/api/snapshot", ctx -> json(ctx, 200, view.snapshotJson(System.currentTimeMillis())));
        config.routes.get("/api/explore", this::explore);
        config.routes.post("/api/feedback", ctx -> {
            FeedbackEndpoint.Reply reply = feedback.handle(ctx.bodyAsBytes());
            json(ctx, reply.status(), reply.json());
        });
        config.routes.get("/metrics", ctx -> ctx.contentType(PrometheusEndpoint.CONTENT_TYPE).result(scrape.get()));
        config.routes.get("/healthz", ctx -> {
            String why = failure.get();
            if (why == null) {
                ctx.contentType("text/plain; charset=utf-8").result("ok\n");
            } else {
                ctx.status(503).contentType("text/plain; charset=utf-8").result(why + "\n");
            }
        });
        config.routes.exception(HttpResponseException.class, (e, ctx) -> json(ctx, e.getStatus(), errorJson(e.getMessage())));
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.toString());
            json(ctx, 500, "{\"error\":\"internal error; see the ops log\"}");
        });
    }

    /**
     * Lets a request through when no token is configured, for {@code /healthz}, or when it carries the token (header
     * or cookie). {@code GET /?token=...} with the right token sets the cookie and redirects to the bare page, so
     * the token does not stay in the address bar or the browser history.
     */
    private void authorize(Context ctx) {
        if (token.isEmpty() || ctx.path().equals("/healthz")) {
            return;
        }
        BearerToken t = token.get();
        if (t.acceptsHeader(ctx.header("Authorization")) || t.matches(ctx.cookie(TOKEN_COOKIE))) {
            return;
        }
        String query = ctx.queryParam("token");
        if (ctx.path().equals("/") && query != null && t.matches(query)) {
            ctx.header("Set-Cookie", TOKEN_COOKIE + "=" + query.strip() + "; Path=/; HttpOnly; SameSite=Strict");
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.header("WWW-Authenticate", "Bearer");
        throw new HttpResponseException(401, "missing or invalid token: send Authorization: Bearer <token>, "
                + "or open /?token=<token> in the browser once");
    }

    private static String errorJson(String message) {
        try {
            return JSON.writeValueAsString(JSON.createObjectNode().put("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void explore(Context ctx) {
        String name = ctx.queryParam("name");
        if (name == null || name.isBlank()) {
            json(ctx, 400, "{\"error\":\"query parameter 'name' (a metric name) is required\"}");
        } else if (!view.metricNames().contains(name)) {
            json(ctx, 404, "{\"error\":\"no metric of that name has been seen\"}");
        } else {
            json(ctx, 200, view.exploreJson(name));
        }
    }

    private static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json").result(body);
    }
}
