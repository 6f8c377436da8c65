package dev.qstream.actor.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.actor.experience.Adder;
import dev.qstream.actor.experience.ApiRecords;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.generation.GenerationResult;
import dev.qstream.runtime.http.BearerToken;
import dev.qstream.runtime.http.HttpExposure;
import dev.qstream.runtime.http.Utf8Body;
import dev.qstream.runtime.http.RecentEpisodes;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The actor's HTTP API (Javalin on Jetty): {@code POST /v1/generate}, {@code POST /v1/feedback}, {@code GET /healthz},
 * {@code GET /readyz}. Requests are parsed strictly (unknown fields, wrong types and sizes over the limits are a
 * 4xx with a message); no response ever carries a stack trace. With a token configured, every {@code /v1} call
 * needs {@code Authorization: Bearer <token>}.
 */
public final class ActorHttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ActorHttpApi.class);
    private static final String ERROR_SET = "qstream.error";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** What the API needs from the actor around it. */
    public record Backend(EpisodeGenerator generator, Adder adder, ApiRecords records, RecentEpisodes recent,
                          Supplier<Boolean> ready, LongSupplier servedModelVersion, ValidationLimits limits,
                          int maxTokens, double defaultTemperature, double defaultEpsilon,
                          ExplorationStrategy defaultStrategy, boolean rejectUnknownFeedbackEpisodes,
                          Predicate<UUID> heldBackFromTraining,
                          Supplier<Boolean> kafkaRequiredButAway) {
    }

    /** Where the API's prompts (so the scorer knows their references) and feedback go. */
    private final Backend backend;
    private final RecordValidator validator;
    private final Optional<BearerToken> token;
    private final Counter requests;
    private final Counter rejected;
    private final Javalin app;

    /** @param exposure interface to bind (loopback by default) and the token every {@code /v1} call then needs */
    public ActorHttpApi(Backend backend, int port, HttpExposure exposure, long maxRequestBytes, MeterRegistry registry) {
        this.backend = backend;
        this.validator = new RecordValidator(backend.limits());
        this.token = exposure.token();
        this.requests = Counter.builder("actor.requests").tag("source", "http").description("generation requests").register(registry);
        this.rejected = Counter.builder("actor.http.rejected").description("HTTP requests answered with a client error").register(registry);
        this.app = Javalin.create(config -> {
            config.http.maxRequestSize = maxRequestBytes;
            config.http.prefer405over404 = true; // a known path with the wrong method says so, not "no such endpoint"
            config.http.defaultContentType = "application/json";
            config.startup.showJavalinBanner = false;
            config.routes.before("/v1/*", this::authorize);
            config.routes.post("/v1/generate", this::generate);
            config.routes.post("/v1/feedback", this::feedback);
            config.routes.get("/healthz", ctx -> ctx.json(JSON.createObjectNode().put("status", "up")));
            config.routes.get("/readyz", this::readiness);
            config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            config.routes.exception(MethodNotAllowedResponse.class,
                    (e, ctx) -> error(ctx, 405, "method not allowed: " + ctx.method() + " " + ctx.path()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            // The actor's bounded buffer for Kafka is full (Kafka away for long): back-pressure, said plainly.
            config.routes.exception(KafkaException.class, (e, ctx) -> {
                LOG.warn("HTTP {} {}: Kafka unavailable: {}", ctx.method(), ctx.path(), e.getMessage());
                error(ctx, 503, "Kafka is unavailable and the actor's buffer is full; retry later (" + e.getMessage() + ")");
            });
            config.routes.exception(IllegalStateException.class, (e, ctx) -> {
                LOG.warn("HTTP {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
                error(ctx, 503, "the episode could not be recorded: " + e.getMessage());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("HTTP {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error");
            });
            // Only for requests no handler answered: an API error with the same status keeps its own message.
            config.routes.error(404, "*", ctx -> {
                if (ctx.attribute(ERROR_SET) == null) {
                    error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.error(405, "*", ctx -> {
                if (ctx.attribute(ERROR_SET) == null) {
                    error(ctx, 405, "method not allowed: " + ctx.method() + " " + ctx.path());
                }
            });
        }).start(exposure.host(), port);
    }

    public int port() {
        return app.port();
    }

    private void authorize(Context ctx) {
        if (token.isEmpty()) {
            return;
        }
        if (!token.get().acceptsHeader(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "missing or invalid bearer token");
        }
    }

    private void readiness(Context ctx) {
        boolean ready = backend.ready().get();
        ctx.status(ready ? 200 : 503).json(JSON.createObjectNode().put("status", ready ? "ready" : "loading model")
                .put("modelVersion", backend.servedModelVersion().getAsLong()));
    }

    private void generate(Context ctx) throws InterruptedException {
        GenerateRequest r = parse(ctx, GenerateRequest.class);
        if (r.prompt() == null || r.prompt().isBlank()) {
            throw new ApiException(400, "'prompt' is required and must not be blank");
        }
        List<String> references = r.references() == null ? List.of() : r.references();
        if (references.stream().anyMatch(x -> x == null)) {
            throw new ApiException(400, "'references' must hold strings only");
        }
        int maxTokens = r.maxTokens() == null ? backend.maxTokens() : r.maxTokens();
        if (maxTokens < 1 || maxTokens > backend.maxTokens()) {
            throw new ApiException(400, "'maxTokens' must be in [1, " + backend.maxTokens() + "]");
        }
        Exploration exploration = exploration(r);
        Prompt prompt = Prompt.newBuilder().setPromptId("http-" + UUID.randomUUID()).setText(r.prompt())
                .setReferences(references).setTask("http").setDeadline(null).setMaxTokens(maxTokens)
                .setCreatedAt(Instant.now()).build();
        List<String> violations = validator.validate(prompt);
        if (!violations.isEmpty()) {
            throw new ApiException(422, String.join("; ", violations));
        }
        if (!backend.ready().get()) {
            throw new ApiException(503, "the model is still loading; retry shortly");
        }
        if (backend.kafkaRequiredButAway().get()) {
            throw new ApiException(503, "Kafka is not acknowledging and this actor is configured to require it; retry later");
        }
        requests.increment();
        // The prompt goes to the prompts topic too, so the scorer finds its references; actors skip it there.
        backend.records().prompt(prompt);
        GenerationResult result = backend.generator().generate(prompt.getPromptId(), prompt.getText(), null, exploration,
                maxTokens, new SplittableRandom(), backend.adder());
        backend.recent().remember(result.episodeId(), result.text());
        ObjectNode body = JSON.createObjectNode()
                .put("episodeId", result.episodeId().toString())
                .put("text", result.text())
                .put("modelVersion", result.lastVersion());
        body.putArray("tokens").addAll(result.tokens().stream().map(JSON.getNodeFactory()::textNode).toList());
        body.put("endReason", result.endReason().name());
        ctx.json(body);
    }

    private Exploration exploration(GenerateRequest r) {
        ExplorationStrategy strategy = backend.defaultStrategy();
        if (r.strategy() != null) {
            try {
                strategy = ExplorationStrategy.valueOf(r.strategy().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                strategy = ExplorationStrategy.UNKNOWN;
            }
            if (strategy == ExplorationStrategy.UNKNOWN) {
                throw new ApiException(400, "'strategy' must be one of greedy, epsilon_greedy, boltzmann");
            }
        }
        double temperature = r.temperature() == null ? backend.defaultTemperature() : r.temperature();
        double epsilon = r.epsilon() == null ? backend.defaultEpsilon() : r.epsilon();
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new ApiException(400, "'temperature' must be a positive number");
        }
        if (!(epsilon >= 0 && epsilon <= 1)) {
            throw new ApiException(400, "'epsilon' must be in [0, 1]");
        }
        return new Exploration(strategy, strategy == ExplorationStrategy.EPSILON_GREEDY ? epsilon : 0, temperature);
    }

    private void feedback(Context ctx) {
        FeedbackRequest r = parse(ctx, FeedbackRequest.class);
        UUID episode;
        try {
            episode = UUID.fromString(r.episodeId() == null ? "" : r.episodeId());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "'episodeId' must be a UUID");
        }
        int kinds = (r.rating() != null ? 1 : 0) + (r.thumbs() != null && !r.thumbs().isNull() ? 1 : 0) + (r.edit() != null ? 1 : 0);
        if (kinds != 1) {
            throw new ApiException(400, "give exactly one of 'rating' (1-5), 'thumbs' (up/down) or 'edit' (text)");
        }
        String generated = backend.recent().text(episode);
        if (generated == null && backend.rejectUnknownFeedbackEpisodes()) {
            throw new ApiException(404, "episode " + episode + " was not produced by this deployment (or is too old)");
        }
        if (backend.heldBackFromTraining().test(episode)) {
            // Its transitions never went out (the training backlog was over its bound): nothing could learn from it.
            throw new ApiException(409, "episode " + episode + " was served but not kept for training (the training "
                    + "backlog was over its bound), so feedback on it cannot be learned from");
        }
        FeedbackKind kind;
        double value;
        if (r.rating() != null) {
            if (r.rating() < 1 || r.rating() > 5) {
                throw new ApiException(400, "'rating' must be an integer from 1 to 5");
            }
            kind = FeedbackKind.RATING;
            value = (r.rating() - 3) / 2.0;
        } else if (r.edit() == null) {
            kind = FeedbackKind.THUMBS;
            value = thumbs(r.thumbs()) ? 1.0 : -1.0;
        } else {
            kind = FeedbackKind.EDIT;
            // Without the generated text (another actor made it) the edit still travels; its value is neutral.
            value = generated == null ? 0.0 : 2 * EditSimilarity.of(generated, r.edit()) - 1;
        }
        Feedback feedback = Feedback.newBuilder().setFeedbackId(UUID.randomUUID()).setEpisodeId(episode).setKind(kind)
                .setValue(value).setEditedText(r.edit()).setSource(r.source() == null ? "http" : r.source())
                .setCreatedAt(Instant.now()).build();
        List<String> violations = validator.validate(feedback);
        if (!violations.isEmpty()) {
            throw new ApiException(422, String.join("; ", violations));
        }
        backend.records().feedback(feedback);
        ctx.status(202).json(JSON.createObjectNode().put("feedbackId", feedback.getFeedbackId().toString()).put("value", value));
    }

    private static boolean thumbs(JsonNode node) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isTextual()) {
            String t = node.asText().strip().toLowerCase(Locale.ROOT);
            if (t.equals("up")) {
                return true;
            }
            if (t.equals("down")) {
                return false;
            }
        }
        throw new ApiException(400, "'thumbs' must be \"up\", \"down\", true or false");
    }

    private <T> T parse(Context ctx, Class<T> type) {
        String body;
        try {
            body = Utf8Body.decode(ctx.bodyAsBytes());
        } catch (Utf8Body.InvalidUtf8Exception e) {
            throw new ApiException(400, e.getMessage());
        }
        if (body.isBlank()) {
            throw new ApiException(400, "request body is empty; expected a JSON object");
        }
        try {
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw new ApiException(400, "expected a JSON object");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(400, "unknown field '" + e.getPropertyName() + "'");
        } catch (MismatchedInputException e) {
            // Name the field, not the Java type Jackson wanted (no internals in answers); no field: not an object.
            if (e.getPath().isEmpty()) {
                throw new ApiException(400, "expected a JSON object");
            }
            throw new ApiException(400, "'" + e.getPath().get(0).getFieldName() + "' has the wrong type");
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    private void error(Context ctx, int status, String message) {
        ctx.attribute(ERROR_SET, Boolean.TRUE);
        if (status >= 400 && status < 500) {
            rejected.increment();
        }
        ctx.status(status).json(JSON.createObjectNode().put("error", message == null ? "error" : message).put("status", status));
    }

    @Override
    public void close() {
        app.stop();
    }
}
