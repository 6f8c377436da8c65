package dev.qstream.actor.experience;

import dev.qstream.runtime.kafka.BufferedProducer;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes what the HTTP API receives: prompts (marked with the {@value #ORIGIN_HEADER} header, so actors reading the
 * prompts topic do not generate for them a second time while the scorer still finds their references) and feedback.
 * Feedback is acknowledged by Kafka before the API answers 202 (or refused with a clear error after 10 s), so an
 * accepted rating is never lost.
 */
public final class ApiRecordsProducer implements ApiRecords {

    public static final String ORIGIN_HEADER = "qstream-origin";
    public static final String ORIGIN_HTTP = "http";

    private final BufferedProducer producer;
    private final String prompts;
    private final String feedback;

    public ApiRecordsProducer(BufferedProducer producer, String promptsTopic, String feedbackTopic) {
        this.producer = producer;
        this.prompts = promptsTopic;
        this.feedback = feedbackTopic;
    }

    @Override
    public void prompt(Prompt prompt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ORIGIN_HEADER, ORIGIN_HTTP.getBytes(StandardCharsets.UTF_8));
        producer.offer(new ProducerRecord<>(prompts, null, prompt.getPromptId().getBytes(StandardCharsets.UTF_8),
                Serdes.PROMPT.encode(prompt), headers));
    }

    @Override
    public void feedback(Feedback f) {
        try {
            producer.offer(new ProducerRecord<>(feedback, f.getEpisodeId().toString().getBytes(StandardCharsets.UTF_8),
                    Serdes.FEEDBACK.encode(f))).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording feedback", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("feedback could not be recorded (Kafka did not acknowledge it in 10 s)", e);
        }
    }
}
