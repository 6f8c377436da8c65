package dev.qstream.runtime.kafka;

import dev.qstream.runtime.concurrent.Worker;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A thread that reads a topic from its beginning ({@link TopicFromBeginning}) and keeps following it, handing each
 * poll's records to a handler and saying once it has read everything that was on the topic when it started: for the
 * topics whose whole history is state that a service must have before it serves (the model topic, the deployment
 * log). It owns the consumer and closes it when it stops.
 */
public final class TopicFollower implements AutoCloseable {

    /** What to do with the records of one poll (on the follower's thread). */
    @FunctionalInterface
    public interface BatchHandler {
        void accept(ConsumerRecords<byte[], byte[]> records);
    }

    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Worker worker;
    private TopicFromBeginning reader; // the worker thread's

    /**
     * @param name       the thread's name
     * @param onCaughtUp run once (on the follower's thread) when the records that were on the topic at the start
     *                   are all handled
     */
    public TopicFollower(String name, KafkaConsumer<byte[], byte[]> consumer, String topic, BatchHandler handler,
                         Runnable onCaughtUp) {
        this.worker = Worker.named(name).daemon(true).joinTimeout(Duration.ofSeconds(10))
                .onStop(consumer::wakeup)
                .setUp(() -> reader = TopicFromBeginning.of(consumer, topic, Duration.ofSeconds(30)))
                .tearDown(() -> {
                    caughtUp.countDown(); // nobody waits for a follower that stopped
                    consumer.close(Duration.ofSeconds(5));
                })
                .build(() -> {
                    handler.accept(reader.poll(Duration.ofMillis(200)));
                    if (caughtUp.getCount() > 0 && reader.reachedEnd()) {
                        caughtUp.countDown();
                        onCaughtUp.run();
                    }
                });
    }

    /** Starts following; returns whether the topic was read to its end within {@code timeout}. */
    public boolean start(Duration timeout) throws InterruptedException {
        worker.start();
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Why following stopped, or null while it runs. */
    public Throwable failure() {
        return worker.failure();
    }

    @Override
    public void close() {
        worker.close();
    }
}
