package dev.qstream.tasks.simulator;

import dev.qstream.tasks.TaskPrompt;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.scorer.similarity.RougeScorer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
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
        public Taste {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("feedback fraction must be in [0, 1], got " + fraction);
            }
            if (meanDelay == null || meanDelay.isNegative()) {
                throw new IllegalArgumentException("feedback delay must be >= 0");
            }
            if (!(noise >= 0)) {
                throw new IllegalArgumentException("rating noise must be >= 0, got " + noise);
            }
        }
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
    private final Worker worker;
    private final AtomicLong given = new AtomicLong();
    private final Set<UUID> rated = new HashSet<>();
    private volatile boolean ready;

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
        consumer.subscribe(List.of(settings.topic(QstreamTopic.GENERATIONS)), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                partitions.forEach(consumer::position); // fix "the end" now, so ready means what comes next is read
                ready = true;
            }
        });
        this.worker = Worker.named("simulated-rater").daemon(true).onStop(consumer::wakeup)
                .tearDown(() -> consumer.close(Duration.ofSeconds(5))).build(this::rateNext);
    }

    public SimulatedRater start() {
        worker.start();
        return this;
    }

    /** True once it reads generations: it starts at the end of the topic, so earlier ones are never rated. */
    public boolean ready() {
        return ready;
    }

    public long given() {
        return given.get();
    }

    private void rateNext() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            try {
                Episode e = Serdes.EPISODE.decode(r.value());
                // People rate what the policy said, not the teacher-forced demonstrations.
                // ... and only what was kept for training (feedback on a held-back episode could not be learned from).
                if (e.getScores() == null && e.getExploration() != ExplorationStrategy.DEMONSTRATION && e.getKeptForTraining()
                        && rated.add(e.getEpisodeId()) && random.nextDouble() < taste.fraction()) {
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

    private void schedule(Episode e) {
        double score = judge(e);
        long delayMillis = (long) (-Math.log(1 - random.nextDouble()) * taste.meanDelay().toMillis());
        boolean thumbs = random.nextBoolean();
        delays.schedule(() -> send(e, score, thumbs), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** The rater's opinion in [-1, 1]: its taste plus noise. */
    double judge(Episode e) {
        double opinion = RaterPreference.opinion(prompts.get(e.getPromptId()), e.getText(), rouge)
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
        worker.stop(); // wakes the consumer
        delays.shutdownNow();
        worker.close();
        producer.close(Duration.ofSeconds(5));
    }
}
