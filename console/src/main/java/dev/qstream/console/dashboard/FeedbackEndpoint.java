package dev.qstream.console.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.validation.RecordValidator;
import dev.qstream.schemas.validation.ValidationLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.qstream.runtime.http.Utf8Body;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The dashboard's thumbs up/down: {@code POST /api/feedback {"episodeId": UUID, "value": 1 | -1}} becomes a THUMBS
 * {@link Feedback} on the feedback topic, keyed by the episode id (so it lands on the partition the scorer joins it
 * on), with a fresh feedback id and source {@code dashboard}. Bad requests get a 4xx and a one-line reason.
 */
final class FeedbackEndpoint implements AutoCloseable {

    static final int MAX_BODY_BYTES = 1024;
    static final String SOURCE = "dashboard";
    private static final Set<String> FIELDS = Set.of("episodeId", "value");
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

    /** What the endpoint answers: an HTTP status and a JSON body. */
    record Reply(int status, String json) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final RecordValidator validator = new RecordValidator(ValidationLimits.defaults());
    private final Counter sent;
    private final Counter rejected;
    /** Episodes feedback may name; accepts every id unless the deployment rejects unknown ones. */
    private final Predicate<UUID> known;
    /** Episodes served but not kept for training: feedback on them could never be learned from. */
    private final Predicate<UUID> heldBack;

    FeedbackEndpoint(KafkaSettings settings, String clientId, MeterRegistry registry, Predicate<UUID> known,
                     Predicate<UUID> heldBack) {
        this(new KafkaProducer<>(settings.producer(clientId)), settings.topic(QstreamTopic.FEEDBACK), registry, known, heldBack);
    }

    FeedbackEndpoint(Producer<byte[], byte[]> producer, String topic, MeterRegistry registry) {
        this(producer, topic, registry, id -> true, id -> false);
    }

    FeedbackEndpoint(Producer<byte[], byte[]> producer, String topic, MeterRegistry registry, Predicate<UUID> known,
                     Predicate<UUID> heldBack) {
        this.producer = producer;
        this.topic = topic;
        this.known = known;
        this.heldBack = heldBack;
        this.sent = Counter.builder("dashboard.feedback.sent").description("feedback records written from the dashboard").register(registry);
        this.rejected = Counter.builder("dashboard.feedback.rejected").description("feedback requests refused as invalid").register(registry);
    }

    Reply handle(byte[] body) {
        if (body.length > MAX_BODY_BYTES) {
            return reject(413, "request body is " + body.length + " bytes; the limit is " + MAX_BODY_BYTES);
        }
        JsonNode node;
        try {
            node = json.readTree(Utf8Body.decode(body));
        } catch (Utf8Body.InvalidUtf8Exception e) {
            return reject(400, e.getMessage());
        } catch (IOException e) {
            return reject(400, "body is not valid JSON; send {\"episodeId\": \"<uuid>\", \"value\": 1 or -1}");
        }
        if (node == null || !node.isObject()) {
            return reject(400, "body must be a JSON object: {\"episodeId\": \"<uuid>\", \"value\": 1 or -1}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                return reject(400, "unknown field '" + abbreviate(field) + "'; allowed: episodeId, value");
            }
        }
        JsonNode id = node.get("episodeId");
        if (id == null || !id.isTextual()) {
            return reject(400, "episodeId is required and must be a string (the episode's UUID)");
        }
        UUID episodeId;
        try {
            episodeId = parseUuid(id.asText());
        } catch (IllegalArgumentException e) {
            return reject(400, "episodeId '" + abbreviate(id.asText()) + "' is not a UUID (8-4-4-4-12 hex digits)");
        }
        JsonNode value = node.get("value");
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()
                || (value.asInt() != 1 && value.asInt() != -1)) {
            return reject(400, "value is required and must be 1 (thumbs up) or -1 (thumbs down)");
        }
        if (!known.test(episodeId)) {
            return reject(404, "episode " + episodeId + " was not produced by this deployment (or is too old)");
        }
        if (heldBack.test(episodeId)) {
            return reject(409, "episode " + episodeId + " was served but not kept for training (the training backlog "
                    + "was over its bound), so feedback on it cannot be learned from");
        }
        Feedback feedback = Feedback.newBuilder()
                .setFeedbackId(UUID.randomUUID())
                .setEpisodeId(episodeId)
                .setKind(FeedbackKind.THUMBS)
                .setValue(value.asInt())
                .setEditedText(null)
                .setSource(SOURCE)
                .setCreatedAt(Instant.now())
                .build();
        List<String> violations = validator.validate(feedback);
        if (!violations.isEmpty()) {
            return reject(400, String.join("; ", violations));
        }
        try {
            producer.send(new ProducerRecord<>(topic, episodeId.toString().getBytes(StandardCharsets.UTF_8),
                    Serdes.FEEDBACK.encode(feedback))).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(503, error("interrupted while writing the feedback"));
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof ExecutionException && e.getCause() != null ? e.getCause().getMessage() : "timed out";
            return new Reply(503, error("could not write the feedback to " + topic + ": " + why));
        }
        sent.increment();
        return new Reply(202, object("feedbackId", feedback.getFeedbackId().toString(), "episodeId", episodeId.toString(),
                "topic", topic));
    }

    /** Strict UUID syntax: {@link UUID#fromString} alone also accepts short forms such as {@code 1-2-3-4-5}. */
    static UUID parseUuid(String text) {
        if (!text.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("not a UUID");
        }
        return UUID.fromString(text);
    }

    private Reply reject(int status, String message) {
        rejected.increment();
        return new Reply(status, error(message));
    }

    private String error(String message) {
        return object("error", message);
    }

    private String object(String... pairs) {
        var o = json.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            o.put(pairs[i], pairs[i + 1]);
        }
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
