package dev.qstream.tasks.simulator;

import dev.qstream.tasks.TaskPrompt;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live traffic for the local loop: sends the task's training prompts to {@code qstream.prompts} at a steady rate,
 * pass after pass (each pass in a fresh seeded order when shuffling, in file order when not), for a set number of
 * passes or for as long as it runs.
 */
public final class TrafficSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficSimulator.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Random random;
    private final String taskName;
    private final boolean shuffle;
    private final int passes;
    private final AtomicLong sent = new AtomicLong();
    private final Worker worker;
    private final List<TaskPrompt> order;
    private final long intervalNanos;
    private volatile boolean finished;
    private int position; // the worker thread's, like order and next
    private int pass;
    private long next;

    /** Shuffled passes, forever. */
    public TrafficSimulator(KafkaSettings settings, String taskName, List<TaskPrompt> prompts, double ratePerSecond, long seed) {
        this(settings, taskName, prompts, ratePerSecond, seed, true, 0);
    }

    /**
     * @param shuffle a fresh seeded order each pass; false = the task file's order
     * @param passes  passes over the prompts before it stops sending; 0 = no end
     */
    public TrafficSimulator(KafkaSettings settings, String taskName, List<TaskPrompt> prompts, double ratePerSecond, long seed,
                            boolean shuffle, int passes) {
        if (passes < 0) {
            throw new IllegalArgumentException("passes must be >= 0 (0 = no end)");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("the task has no training prompts to send");
        }
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be > 0 prompts per second");
        }
        this.producer = new KafkaProducer<>(settings.producer("qstream-traffic-simulator"));
        this.topic = settings.topic(QstreamTopic.PROMPTS);
        this.random = new Random(seed);
        this.taskName = taskName;
        this.shuffle = shuffle;
        this.passes = passes;
        this.order = new ArrayList<>(prompts);
        this.position = order.size();
        this.intervalNanos = (long) (1e9 / ratePerSecond);
        this.worker = Worker.named("traffic-simulator").daemon(true).interruptOnStop()
                .setUp(() -> next = System.nanoTime()).build(this::sendNext);
    }

    public TrafficSimulator start() {
        worker.start();
        return this;
    }

    public long sent() {
        return sent.get();
    }

    /** True once every pass was sent (never with no end). */
    public boolean finished() {
        return finished;
    }

    /** Sends the next prompt at its time; after the last pass, flushes and ends the loop. */
    private void sendNext() throws InterruptedException {
        if (position == order.size()) {
            if (passes > 0 && pass == passes) {
                finished = true;
                LOG.info("traffic finished: {} pass(es), {} prompts sent", passes, sent.get());
                producer.flush();
                worker.stop();
                return;
            }
            if (shuffle) {
                Collections.shuffle(order, random);
            }
            position = 0;
            pass++;
        }
        TaskPrompt p = order.get(position++);
        Prompt prompt = Prompt.newBuilder()
                .setPromptId(p.id())
                .setText(p.prompt())
                .setReferences(p.references())
                .setTask(taskName)
                .setDeadline(null)
                .setCreatedAt(Instant.now())
                .build();
        producer.send(new ProducerRecord<>(topic, p.id().getBytes(StandardCharsets.UTF_8), Serdes.PROMPT.encode(prompt)),
                (m, e) -> {
                    if (e != null) {
                        LOG.warn("could not send prompt {}: {}", p.id(), e.getMessage());
                    }
                });
        sent.incrementAndGet();
        next += intervalNanos;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } else if (sleep < -1_000_000_000L) {
            next = System.nanoTime(); // fell behind by over a second: do not burst to catch up
        }
    }

    @Override
    public void close() {
        worker.close();
        producer.close(Duration.ofSeconds(5));
    }
}
