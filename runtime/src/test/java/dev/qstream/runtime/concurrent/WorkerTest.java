package dev.qstream.runtime.concurrent;

import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkerTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    private static boolean ended(Worker worker) {
        return worker.join(Duration.ofMillis(1));
    }

    @Test
    void runsSetUpOnceThenTheStepRepeatedlyOnItsNamedThreadAndTearsDownWhenClosed() throws Exception {
        AtomicReference<Thread> setUpOn = new AtomicReference<>();
        AtomicInteger setUps = new AtomicInteger();
        AtomicInteger tearDowns = new AtomicInteger();
        CountDownLatch threeSteps = new CountDownLatch(3);
        Worker worker = Worker.named("test-worker").daemon(true).joinTimeout(LONG)
                .setUp(() -> {
                    setUpOn.set(Thread.currentThread());
                    setUps.incrementAndGet();
                })
                .tearDown(tearDowns::incrementAndGet)
                .build(() -> {
                    threeSteps.countDown();
                    Thread.onSpinWait();
                });
        assertThat(worker.running()).isTrue();
        assertThat(ended(worker)).isTrue();

        worker.start();
        assertThat(threeSteps.await(1, TimeUnit.MINUTES)).isTrue();
        worker.close();

        assertThat(ended(worker)).isTrue();
        assertThat(worker.running()).isFalse();
        assertThat(worker.failure()).isNull();
        assertThat(setUpOn.get().getName()).isEqualTo("test-worker");
        assertThat(setUpOn.get().isDaemon()).isTrue();
        assertThat(setUps).hasValue(1);
        assertThat(tearDowns).hasValue(1);
    }

    @Test
    void stoppingInterruptsABlockedStepAndTheTearDownRunsUninterrupted() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicBoolean interruptedInTearDown = new AtomicBoolean(true);
        Worker worker = Worker.named("sleeper").interruptOnStop().joinTimeout(LONG)
                .tearDown(() -> interruptedInTearDown.set(Thread.currentThread().isInterrupted()))
                .build(() -> {
                    blocked.countDown();
                    Thread.sleep(Long.MAX_VALUE);
                }).start();
        assertThat(blocked.await(1, TimeUnit.MINUTES)).isTrue();

        worker.close();

        assertThat(ended(worker)).isTrue();
        assertThat(worker.failure()).as("an interrupt that the stop caused is no failure").isNull();
        assertThat(interruptedInTearDown).isFalse();
    }

    @Test
    void theStopActionWakesAStepAndTheWakeupItCausesIsNoFailure() throws Exception {
        CountDownLatch wake = new CountDownLatch(1);
        AtomicInteger wakeups = new AtomicInteger();
        Worker worker = Worker.named("poller").joinTimeout(LONG)
                .onStop(() -> {
                    wakeups.incrementAndGet();
                    wake.countDown();
                })
                .build(() -> {
                    if (wake.await(1, TimeUnit.MINUTES)) {
                        throw new WakeupException(); // what a woken KafkaConsumer.poll throws
                    }
                }).start();

        worker.close();
        worker.close();

        assertThat(ended(worker)).isTrue();
        assertThat(worker.failure()).isNull();
        assertThat(wakeups).as("stop and close are idempotent").hasValue(1);
    }

    @Test
    void aStepThatThrowsEndsTheLoopAndIsReported() {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger tearDowns = new AtomicInteger();
        Worker worker = Worker.named("failing").tearDown(tearDowns::incrementAndGet).build(() -> {
            if (steps.incrementAndGet() == 3) {
                throw boom;
            }
        }).start();

        await().atMost(1, TimeUnit.MINUTES).until(() -> ended(worker));

        assertThat(worker.failure()).isSameAs(boom);
        assertThat(steps).hasValue(3);
        assertThat(tearDowns).hasValue(1);
        assertThat(worker.running()).as("nobody stopped it").isTrue();
        worker.close();
        assertThat(worker.failure()).isSameAs(boom);
    }

    @Test
    void anInterruptThatNoStopCausedIsAFailure() throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CountDownLatch blocked = new CountDownLatch(1);
        Worker worker = Worker.named("interrupted").setUp(() -> thread.set(Thread.currentThread())).build(() -> {
            blocked.countDown();
            Thread.sleep(Long.MAX_VALUE);
        }).start();
        assertThat(blocked.await(1, TimeUnit.MINUTES)).isTrue();

        thread.get().interrupt();
        await().atMost(1, TimeUnit.MINUTES).until(() -> ended(worker));

        assertThat(worker.failure()).isInstanceOf(InterruptedException.class);
        worker.close();
    }

    @Test
    void aStepMayEndItsOwnLoop() {
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger stopActions = new AtomicInteger();
        AtomicReference<Worker> self = new AtomicReference<>();
        Worker worker = Worker.named("finite").interruptOnStop().onStop(stopActions::incrementAndGet).build(() -> {
            if (steps.incrementAndGet() == 5) {
                self.get().stop();
            }
        });
        self.set(worker);
        worker.start();

        await().atMost(1, TimeUnit.MINUTES).until(() -> ended(worker));

        assertThat(steps).hasValue(5);
        assertThat(worker.failure()).isNull();
        assertThat(stopActions).as("nothing to wake up when the loop stops itself").hasValue(0);
        worker.close();
    }

    @Test
    void closeGivesUpAfterTheJoinBoundWhenTheStepIgnoresTheStop() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        Worker worker = Worker.named("stubborn").daemon(true).joinTimeout(Duration.ofMillis(50)).build(() -> {
            blocked.countDown();
            while (!release.await(1, TimeUnit.MINUTES)) {
                Thread.onSpinWait(); // ignores interrupts and the stop flag
            }
        }).start();
        assertThat(blocked.await(1, TimeUnit.MINUTES)).isTrue();

        worker.close(); // returns after the bound, logging that the thread is still running

        assertThat(ended(worker)).isFalse();
        release.countDown();
        await().atMost(1, TimeUnit.MINUTES).until(() -> ended(worker));
        assertThat(worker.failure()).isNull();
    }

    @Test
    void closingAWorkerThatNeverStartedIsFine() {
        AtomicInteger stopActions = new AtomicInteger();
        Worker worker = Worker.named("never").onStop(stopActions::incrementAndGet).build(() -> {
        });
        worker.close();
        worker.close();
        assertThat(ended(worker)).isTrue();
        assertThat(worker.running()).isFalse();
        assertThat(worker.failure()).isNull();
        assertThat(stopActions).hasValue(1);
    }
}
