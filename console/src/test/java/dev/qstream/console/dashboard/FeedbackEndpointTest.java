package dev.qstream.console.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.serde.Serdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class FeedbackEndpointTest {

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FeedbackEndpoint endpoint = new FeedbackEndpoint(producer, "qstream.feedback", registry);

    private FeedbackEndpoint.Reply post(String body) {
        return endpoint.handle(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(FeedbackEndpoint.Reply reply) throws Exception {
        JsonNode node = new ObjectMapper().readTree(reply.json());
        return node.get("error").asText();
    }

    @Test
    void aThumbsUpBecomesAFeedbackRecordKeyedByTheEpisode() throws Exception {
        UUID episode = UUID.randomUUID();
        FeedbackEndpoint.Reply reply = post("{\"episodeId\":\"" + episode + "\",\"value\":1}");
        assertThat(reply.status()).isEqualTo(202);
        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo("qstream.feedback");
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(episode.toString());
            Feedback f = Serdes.FEEDBACK.decode(r.value());
            assertThat(f.getEpisodeId()).isEqualTo(episode);
            assertThat(f.getKind()).isEqualTo(FeedbackKind.THUMBS);
            assertThat(f.getValue()).isEqualTo(1.0);
            assertThat(f.getSource()).isEqualTo("dashboard");
            assertThat(new ObjectMapper().readTree(reply.json()).get("feedbackId").asText()).isEqualTo(f.getFeedbackId().toString());
        });
        assertThat(registry.counter("dashboard.feedback.sent").count()).isEqualTo(1);
    }

    @Test
    void twoClicksAreTwoFeedbackEventsWithTheirOwnIds() {
        UUID episode = UUID.randomUUID();
        post("{\"episodeId\":\"" + episode + "\",\"value\":-1}");
        post("{\"episodeId\":\"" + episode + "\",\"value\":-1}");
        assertThat(producer.history()).extracting(ProducerRecord::value)
                .extracting(v -> Serdes.FEEDBACK.decode(v).getFeedbackId()).doesNotHaveDuplicates().hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not json                                        | body is not valid JSON",
            "[1, 2]                                          | body must be a JSON object",
            "{\"value\": 1}                                  | episodeId is required",
            "{\"episodeId\": 7, \"value\": 1}                | episodeId is required and must be a string",
            "{\"episodeId\": \"episode-42\", \"value\": 1}   | 'episode-42' is not a UUID",
            "{\"episodeId\": \"1-2-3-4-5\", \"value\": 1}    | is not a UUID",
            "{\"episodeId\": \"0b7e1f3c-5d0a-4a43-9d7c-2f9a1c8e4b11\"}             | value is required and must be 1",
            "{\"episodeId\": \"0b7e1f3c-5d0a-4a43-9d7c-2f9a1c8e4b11\", \"value\": 5}   | must be 1 (thumbs up) or -1",
            "{\"episodeId\": \"0b7e1f3c-5d0a-4a43-9d7c-2f9a1c8e4b11\", \"value\": 1.0} | must be 1 (thumbs up) or -1",
            "{\"episodeId\": \"0b7e1f3c-5d0a-4a43-9d7c-2f9a1c8e4b11\", \"value\": 4294967297} | must be 1 (thumbs up) or -1",
            "{\"episodeId\": \"0b7e1f3c-5d0a-4a43-9d7c-2f9a1c8e4b11\", \"value\": 1, \"rating\": 5} | unknown field 'rating'",
    })
    void badRequestsAre400WithAReasonAndWriteNothing(String body, String expected) throws Exception {
        FeedbackEndpoint.Reply reply = post(body);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(error(reply)).contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(producer.history()).isEmpty();
        assertThat(registry.counter("dashboard.feedback.rejected").count()).isEqualTo(1);
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        FeedbackEndpoint.Reply reply = post("{\"episodeId\":\"" + "x".repeat(2_000) + "\"}");
        assertThat(reply.status()).isEqualTo(413);
        assertThat(error(reply)).contains("limit is 1024");
    }

    @Test
    void aFailedWriteIs503WithTheReason() throws Exception {
        MockProducer<byte[], byte[]> failing = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        FeedbackEndpoint endpoint = new FeedbackEndpoint(failing, "qstream.feedback", registry);
        Thread t = new Thread(() -> {
            while (!failing.errorNext(new TimeoutException("broker unavailable"))) {
                Thread.onSpinWait();
            }
        });
        t.start();
        FeedbackEndpoint.Reply reply = endpoint.handle(("{\"episodeId\":\"" + UUID.randomUUID() + "\",\"value\":1}").getBytes(StandardCharsets.UTF_8));
        t.join();
        assertThat(reply.status()).isEqualTo(503);
        assertThat(error(reply)).contains("could not write the feedback to qstream.feedback: broker unavailable");
    }

    @Test
    void invalidUtf8IsABadRequestAndNothingIsSent() {
        byte[] body = {'{', '"', 'e', (byte) 0xC3, 0x28, '"', ':', '1', '}'};
        FeedbackEndpoint.Reply reply = endpoint.handle(body);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json()).contains("request body is not valid UTF-8 (at byte 3)");
        assertThat(producer.history()).isEmpty();
    }
}
