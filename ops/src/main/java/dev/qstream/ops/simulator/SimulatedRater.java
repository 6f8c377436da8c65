package dev.qstream.ops.simulator;

import dev.qstream.ops.task.TaskPrompt;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.scorer.metrics.RougeScorer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A scripted human rater for the local loop. It reads new generations and rates a fraction of them after a random
 * delay (exponential, so some arrive after the scorer's wait window and become late corrections, and many episodes
 * get none and take the default). Its taste: close to a reference is good (ROUGE-L), repeated bigrams and
 * rambling past the reference length are bad; plus noise. Ratings are 1–5 or thumbs, like people give.
 */
public final class SimulatedRater implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedRater.class);

    /**
     * @param fraction   share of episodes that get feedback
     * @param meanDelay  mean of the exponential feedback delay
     * @param noise      standard deviation of the rating noise (on the [-1, 1] scale)
     */
    public record Taste(double fraction, Duration meanDelay, double noise, long seed) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String feedbackTopic;
    private final Map<String, TaskPrompt> prompts;
    private final Taste taste;
    private final Random random;
    private final RougeScorer rouge = new RougeScorer(false);
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rater-delays");
        t.setDaemon(true);
        return t;
    });
    private final Thread thread;
    private final AtomicLong given = new AtomicLong();
    private final Set<UUID> rated = new HashSet<>();
    private volatile boolean running = true;

    public SimulatedRater(KafkaSettings settings, List<TaskPrompt> task, Taste taste) {
        var props = settings.consumer("qstream-simulated-rater", "qstream-simulated-rater");
        props.put("auto.offset.reset", OffsetResetStrategy.LATEST.toString().toLowerCase());
        props.put("enable.auto.commit", "true");
        this.consumer = new KafkaConsumer<>(props);
        this.producer = new KafkaProducer<>(settings.producer("qstream-simulated-rater"));
        this.feedbackTopic = settings.topic(QstreamTopic.FEEDBACK);
        this.prompts = task.stream().collect(Collectors.toMap(TaskPrompt::id, Function.identity(), (a, b) -> a));
        this.taste = taste;
        this.random = new Random(taste.seed());
        consumer.subscribe(List.of(settings.topic(QstreamTopic.GENERATIONS)));
        this.thread = new Thread(this::run, "simulated-rater");
        this.thread.setDaemon(true);
    }

    public SimulatedRater start() {
        thread.start();
        return this;
    }

    public long given() {
        return given.get();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        Episode e = Serdes.EPISODE.decode(r.value());
                        if (e.getScores() == null && rated.add(e.getEpisodeId()) && random.nextDouble() < taste.fraction()) {
                            schedule(e);
                        }
                    } catch (AvroDecodeException ignored) {
                        // the dashboard dead-letters bad generations; the rater just skips them
                    }
                }
                if (rated.size() > 200_000) {
                    rated.clear();
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void schedule(Episode e) {
        double score = judge(e);
        long delayMillis = (long) (-Math.log(1 - random.nextDouble()) * taste.meanDelay().toMillis());
        boolean thumbs = random.nextBoolean();
        delays.schedule(() -> send(e, score, thumbs), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** The rater's opinion in [-1, 1]. */
    double judge(Episode e) {
        TaskPrompt p = prompts.get(e.getPromptId());
        List<String> words = List.of(e.getText().isBlank() ? new String[0] : e.getText().split("\\s+"));
        double closeness = p == null || p.references().isEmpty() ? 0.5 : rouge.scoreMulti(p.references(), e.getText()).rougeL().f();
        Set<String> bigrams = new HashSet<>();
        int repeats = 0;
        for (int i = 0; i + 1 < words.size(); i++) {
            if (!bigrams.add(words.get(i) + " " + words.get(i + 1))) {
                repeats++;
            }
        }
        int target = p == null || p.references().isEmpty() ? 12 : p.references().get(0).split("\\s+").length;
        double rambling = Math.max(0, words.size() - target) / (double) Math.max(1, target);
        double opinion = 2 * closeness - 1 - 0.5 * repeats / Math.max(1, words.size()) - 0.5 * Math.min(1, rambling)
                + random.nextGaussian() * taste.noise();
        return Math.max(-1, Math.min(1, opinion));
    }

    private void send(Episode e, double opinion, boolean thumbs) {
        FeedbackKind kind;
        double value;
        if (thumbs) {
            kind = FeedbackKind.THUMBS;
            value = opinion >= 0 ? 1 : -1;
        } else {
            kind = FeedbackKind.RATING;
            long rating = Math.max(1, Math.min(5, Math.round(3 + 2 * opinion)));
            value = (rating - 3) / 2.0;
        }
        Feedback f = Feedback.newBuilder().setFeedbackId(UUID.randomUUID()).setEpisodeId(e.getEpisodeId()).setKind(kind)
                .setValue(value).setEditedText(null).setSource("simulated-rater").setCreatedAt(Instant.now()).build();
        producer.send(new ProducerRecord<>(feedbackTopic, e.getEpisodeId().toString().getBytes(StandardCharsets.UTF_8),
                Serdes.FEEDBACK.encode(f)), (m, ex) -> {
            if (ex != null) {
                LOG.warn("could not send simulated feedback: {}", ex.getMessage());
            } else {
                given.incrementAndGet();
            }
        });
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        delays.shutdownNow();
        try {
            thread.join(5_000);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
