package dev.qstream.runtime.concurrent;

import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * One background loop on its own named thread: {@code setUp} once, then {@code step} again and again until
 * {@link #stop()}, then {@code tearDown} once, all on that thread (so a Kafka consumer it owns is only ever touched
 * by it). This is the one place that owns the stop flag, the wake-up of a blocked step, the bounded join and what
 * happens when the loop dies.
 *
 * <h2>Stopping</h2>
 * {@link #stop()} clears the flag the loop checks between steps, then runs the {@code onStop} action (e.g. a
 * consumer's {@code wakeup}) and, when asked for, interrupts the thread, so a step blocked in a poll or a sleep
 * returns at once. It does not wait; {@link #close()} stops and then waits up to the join timeout, and logs a
 * warning naming the thread when it is still running after that (it is then left to finish on its own: a daemon
 * thread does not hold up the JVM's exit). A step may call {@link #stop()} itself to end the loop after it returns;
 * from the worker's own thread stop only clears the flag (nothing to wake up). Stop and close are idempotent.
 *
 * <h2>Failures</h2>
 * A {@code WakeupException} or {@code InterruptedException} (or Kafka's {@code InterruptException}) that a stop
 * caused is how a blocked step learns it should end: the loop ends quietly. Anything else a step (or setUp) throws
 * ends the loop too, but as a failure: it is logged at ERROR with the thread's name and stack trace and kept for
 * {@link #failure()}, where the owning service reports it (its supervisor restarts a process whose loop died rather
 * than let it linger half-alive). An interrupt or wake-up nobody asked for is a failure as well: the loop ended
 * without being stopped. A step that should survive its own errors (retry, skip a record) catches them itself.
 * Errors ({@code OutOfMemoryError}, ...) are treated like exceptions. {@code tearDown} runs in every case, with the
 * interrupt status cleared so that it can block briefly (closing a consumer); what it throws is logged at WARN and
 * does not replace a failure.
 */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /** A piece of the loop's work; may throw, see the class comment for what happens then. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private static final Body NOTHING = () -> {
    };

    private final String name;
    private final Body setUp;
    private final Body step;
    private final Body tearDown;
    private final Runnable onStop;
    private final boolean interruptOnStop;
    private final Duration joinTimeout;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private final Object lock = new Object();
    private boolean stopSignalled; // guarded by lock
    private boolean loopEnded; // guarded by lock: no interrupt may reach the tear-down

    private Worker(Builder b, Body step) {
        this.name = b.name;
        this.setUp = b.setUp;
        this.step = Objects.requireNonNull(step, "step");
        this.tearDown = b.tearDown;
        this.onStop = b.onStop;
        this.interruptOnStop = b.interruptOnStop;
        this.joinTimeout = b.joinTimeout;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(b.daemon);
    }

    /** A worker whose thread is called {@code name}; the builder says how it stops. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** Starts the thread (once). */
    public Worker start() {
        thread.start();
        return this;
    }

    /** True until {@link #stop()} is called (also before the start); a long step may check it to return early. */
    public boolean running() {
        return running;
    }

    /** What ended the loop unasked (see the class comment), or null while it runs or when it was stopped. */
    public Throwable failure() {
        return failure;
    }

    /**
     * Asks the loop to end after the current step and wakes a blocked step up (the {@code onStop} action, then the
     * interrupt when configured). Returns at once; idempotent.
     */
    public void stop() {
        running = false;
        if (Thread.currentThread() == thread) {
            return; // the loop itself ends: nothing is blocked
        }
        synchronized (lock) {
            if (stopSignalled) {
                return;
            }
            stopSignalled = true;
            onStop.run();
            if (interruptOnStop && !loopEnded) {
                thread.interrupt();
            }
        }
    }

    /**
     * Waits up to {@code timeout} for the thread to end (it does not stop it).
     *
     * @return true when the thread has ended or was never started
     */
    public boolean join(Duration timeout) {
        if (Thread.currentThread() == thread) {
            return false;
        }
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** Stops and waits up to the join timeout for the loop to end. */
    @Override
    public void close() {
        close(joinTimeout);
    }

    /** Stops and waits up to {@code timeout} for the loop to end; logs a warning when it has not. */
    public void close(Duration timeout) {
        stop();
        if (!join(timeout) && thread.isAlive()) {
            LOG.warn("thread {} did not stop within {}; leaving it to finish on its own", name, timeout);
        }
    }

    private void loop() {
        try {
            setUp.run();
            while (running) {
                step.run();
            }
        } catch (InterruptedException | InterruptException | WakeupException e) {
            if (running) {
                fail(e);
            }
        } catch (Throwable e) {
            fail(e);
        } finally {
            synchronized (lock) {
                loopEnded = true;
            }
            Thread.interrupted(); // a stop's interrupt must not break the tear-down
            try {
                tearDown.run();
            } catch (Throwable e) {
                LOG.warn("thread {}: tearing down failed: {}", name, e.toString(), e);
            }
        }
    }

    private void fail(Throwable e) {
        failure = e;
        LOG.error("thread {} stopped: its loop failed with {}", name, e.toString(), e);
    }

    /** How a worker is set up and stopped; {@link #build} makes it (not started). */
    public static final class Builder {
        private final String name;
        private boolean daemon;
        private Body setUp = NOTHING;
        private Body tearDown = NOTHING;
        private Runnable onStop = () -> {
        };
        private boolean interruptOnStop;
        private Duration joinTimeout = Duration.ofSeconds(5);

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Whether the thread is a daemon (does not keep the JVM alive); default false. */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /** Runs once on the thread before the first step (subscribe, seek, ...). */
        public Builder setUp(Body setUp) {
            this.setUp = Objects.requireNonNull(setUp);
            return this;
        }

        /** Runs once on the thread after the last step, however the loop ended (close a consumer, ...). */
        public Builder tearDown(Body tearDown) {
            this.tearDown = Objects.requireNonNull(tearDown);
            return this;
        }

        /**
         * Runs once, on the stopping thread, when a stop is asked for, to wake a blocked step (e.g. consumer::wakeup);
         * it must not block.
         */
        public Builder onStop(Runnable onStop) {
            this.onStop = Objects.requireNonNull(onStop);
            return this;
        }

        /** Interrupts the thread when a stop is asked for (steps that sleep or wait on queues). */
        public Builder interruptOnStop() {
            this.interruptOnStop = true;
            return this;
        }

        /** How long {@link Worker#close()} waits for the loop to end; default 5 s. */
        public Builder joinTimeout(Duration joinTimeout) {
            this.joinTimeout = Objects.requireNonNull(joinTimeout);
            return this;
        }

        /** The worker that repeats {@code step} until stopped; call {@link Worker#start()} to run it. */
        public Worker build(Body step) {
            return new Worker(this, step);
        }
    }
}
