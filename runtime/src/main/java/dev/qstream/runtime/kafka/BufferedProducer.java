package dev.qstream.runtime.kafka;

import dev.qstream.runtime.concurrent.Worker;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Kafka producer behind a bounded queue and one sender thread, so that callers never block on Kafka: while the
 * cluster is away (and the producer itself may block for metadata), records wait in the queue — in order, never
 * dropped, retried until acknowledged — up to {@code capacity} records. Beyond that, {@link #offer} refuses with
 * {@link BackPressureException} (a clear error for the caller to pass on) and {@link #put} waits for room: memory
 * stays bounded either way.
 */
public final class BufferedProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BufferedProducer.class);

    /** The queue is full: Kafka has not been taking records for a while. */
    public static final class BackPressureException extends KafkaException {
        private static final long serialVersionUID = 1L;

        public BackPressureException(String message) {
            super(message);
        }
    }

    private record Queued(ProducerRecord<byte[], byte[]> record, CompletableFuture<RecordMetadata> result) {
    }

    private final Producer<byte[], byte[]> producer;
    private final BlockingQueue<Queued> queue;
    private final String name;
    private final AtomicLong pending = new AtomicLong();
    private final Worker sender;
    private volatile long lastAckMillis = System.currentTimeMillis();

    public BufferedProducer(Producer<byte[], byte[]> producer, int capacity, String name) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.producer = producer;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.name = name;
        // Stopped, it sends what is still queued, once each, before it ends.
        this.sender = Worker.named(name + "-sender").daemon(true).tearDown(this::drain).build(this::sendNext);
        this.sender.start();
    }

    /** Queues a record without blocking; refuses when the queue is full. */
    public CompletableFuture<RecordMetadata> offer(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        pending.incrementAndGet();
        if (!queue.offer(new Queued(record, result))) {
            pending.decrementAndGet();
            throw new BackPressureException(name + ": " + queue.size() + " records are waiting for Kafka (the bound); "
                    + "refusing more until it takes them");
        }
        return result;
    }

    /** Queues a record, waiting for room when the queue is full (back-pressure onto the caller's thread). */
    public CompletableFuture<RecordMetadata> put(ProducerRecord<byte[], byte[]> record) throws InterruptedException {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        pending.incrementAndGet();
        queue.put(new Queued(record, result));
        return result;
    }

    /** Whether Kafka is acknowledging: nothing waits, or the last acknowledgement is recent. */
    public boolean acknowledging(long withinMillis) {
        return pending.get() == 0 || System.currentTimeMillis() - lastAckMillis < withinMillis;
    }

    /** Waits until everything queued so far is acknowledged (or failed). */
    public void flush() throws InterruptedException {
        while (!queue.isEmpty() && sender.running()) {
            Thread.sleep(5);
        }
        producer.flush();
    }

    private void sendNext() throws InterruptedException {
        Queued q = queue.poll(100, TimeUnit.MILLISECONDS);
        if (q != null) {
            send(q);
        }
    }

    /** After a stop: sends what is left in the queue, once each (after a failure they stay queued: nobody asked). */
    private void drain() {
        if (sender.running()) {
            return;
        }
        Queued q;
        while ((q = queue.poll()) != null) {
            send(q);
        }
    }

    /** Sends one record, retrying while the producer cannot even take it (e.g. no metadata while Kafka is away). */
    private void send(Queued q) {
        long backoff = 100;
        while (true) {
            try {
                producer.send(q.record(), (metadata, exception) -> {
                    pending.decrementAndGet();
                    if (exception == null) {
                        lastAckMillis = System.currentTimeMillis();
                        q.result().complete(metadata);
                    } else {
                        LOG.error("{}: record to {} failed: {}", name, q.record().topic(), exception.getMessage());
                        q.result().completeExceptionally(exception);
                    }
                });
                return;
            } catch (KafkaException e) {
                if (!sender.running()) {
                    pending.decrementAndGet();
                    q.result().completeExceptionally(e);
                    return;
                }
                LOG.warn("{}: Kafka is not taking records ({}); retrying", name, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    pending.decrementAndGet();
                    q.result().completeExceptionally(e);
                    return;
                }
                backoff = Math.min(2_000, backoff * 2);
            }
        }
    }

    /** Sends what is queued (waiting up to {@code timeout}), then closes the producer. */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sender.close(Duration.ofNanos(deadline - System.nanoTime()));
        if (!queue.isEmpty()) {
            LOG.error("{}: closing with {} records Kafka never took", name, queue.size());
        }
        producer.close(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
