package dev.qstream.actor.decode;

import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.actor.model.VariableClient;
import dev.qstream.runtime.concurrent.Worker;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dynamic batching across in-flight episodes: callers submit the next step of their episode and block; one decoder
 * thread takes whatever is waiting (up to {@code maxBatch}) and decides them together, one gemm per model version among them (an episode keeps the version it started with). It
 * waits (at most {@code maxWait}) for more only while fewer steps are batched than episodes are in flight, so under
 * load batches grow and throughput with them, while a request alone never waits for company that is not coming.
 */
public final class BatchingDecoder implements StepDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingDecoder.class);

    private record Pending(StepRequest request, CompletableFuture<Decision> result) {
    }

    private final VariableClient variables;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Pending> queue;
    private final DistributionSummary batchSizes;
    private final Worker worker;
    private final AtomicInteger activeEpisodes = new AtomicInteger();
    private final List<Pending> batch; // the worker thread's

    public BatchingDecoder(VariableClient variables, int maxBatch, Duration maxWait, int queueCapacity, MeterRegistry registry) {
        if (maxBatch < 1 || maxWait.isNegative() || queueCapacity < 1) {
            throw new IllegalArgumentException("maxBatch and queueCapacity must be >= 1, maxWait >= 0");
        }
        this.variables = variables;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSizes = DistributionSummary.builder("actor.batch.size").description("states decided together")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.batch = new ArrayList<>(maxBatch);
        this.worker = Worker.named("actor-decoder").daemon(true).interruptOnStop()
                .tearDown(this::rejectWaiting).build(this::decideNext);
        this.worker.start();
    }

    @Override
    public ServingPolicy policyFor(String episodeId) {
        return variables.policyFor(episodeId);
    }

    @Override
    public void episodeStarted() {
        activeEpisodes.incrementAndGet();
    }

    @Override
    public void episodeEnded() {
        activeEpisodes.decrementAndGet();
    }

    @Override
    public Decision decide(StepRequest request) throws InterruptedException {
        if (!worker.running()) {
            throw new RejectedExecutionException("decoder is closed");
        }
        CompletableFuture<Decision> result = new CompletableFuture<>();
        queue.put(new Pending(request, result));
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("decision failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Takes what is waiting (waiting for more while episodes in flight may still send some) and decides it. */
    private void decideNext() throws InterruptedException {
        try {
            Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                return;
            }
            batch.add(first);
            long deadline = System.nanoTime() + maxWaitNanos;
            queue.drainTo(batch, maxBatch - batch.size());
            while (batch.size() < maxBatch && batch.size() < activeEpisodes.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
                batch.add(next);
                queue.drainTo(batch, maxBatch - batch.size());
            }
            decide(batch);
        } catch (InterruptedException e) {
            batch.forEach(p -> p.result().completeExceptionally(new RejectedExecutionException("decoder closed")));
            throw e; // closing: the worker ends the loop
        } catch (RuntimeException e) {
            LOG.error("decoding a batch failed: {}", e.toString(), e);
            batch.forEach(p -> p.result().completeExceptionally(e));
        } finally {
            batch.clear();
        }
    }

    private void rejectWaiting() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(new RejectedExecutionException("decoder closed"));
        }
    }

    /**
     * Decides the batch, one gemm per version in it: episodes are pinned to the version they started with, so during
     * a canary trial (or right after a swap) a batch can hold steps of two versions.
     */
    private void decide(List<Pending> batch) {
        ServingPolicy now = variables.current();
        Map<ServingPolicy, List<Pending>> byPolicy = new IdentityHashMap<>(2);
        for (Pending p : batch) {
            ServingPolicy policy = p.request().policy() != null ? p.request().policy() : now;
            byPolicy.computeIfAbsent(policy, k -> new ArrayList<>(batch.size())).add(p);
        }
        byPolicy.forEach((policy, group) -> {
            List<StepRequest> requests = new ArrayList<>(group.size());
            group.forEach(p -> requests.add(p.request()));
            Decision[] decisions = DecisionMaker.decide(policy, requests);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(decisions[i]);
            }
        });
        batchSizes.record(batch.size());
    }

    @Override
    public void close() {
        worker.close();
    }
}
