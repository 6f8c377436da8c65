package dev.qstream.learner.replay;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.policy.state.StateEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Fixed-capacity ring of transitions, sampled uniformly or by proportional priority (a {@link SumTree} over
 * (|δ| + ε)^α, new transitions entering at the highest priority seen, importance-sampling weights
 * (N·P(i))^−β normalised by the batch maximum, β annealed to 1). Safe for one writer (the consumer thread) and one
 * sampler (the training thread): both take a short lock, and sampling copies what it needs under it. Each slot has
 * a generation so that priority updates for a slot overwritten since it was sampled are ignored.
 */
public final class ReplayBuffer {

    private final ReplayConfig config;
    private final StoredTransition[] slots;
    private final long[] generation;
    private final SumTree priorities;
    private final ReentrantLock lock = new ReentrantLock();
    private double maxPriority = 1.0;
    private long inserted;   // ever added (the rate limiter counts it); also each slot's generation stamp
    private int size;        // slots holding a transition
    private int next;        // where the next transition goes

    public ReplayBuffer(ReplayConfig config) {
        this.config = config;
        this.slots = new StoredTransition[config.capacity()];
        this.generation = new long[config.capacity()];
        this.priorities = config.prioritized() ? new SumTree(config.capacity()) : null;
    }

    public ReplayConfig config() {
        return config;
    }

    public int capacity() {
        return slots.length;
    }

    /** Adds a transition, overwriting the oldest when full; returns its slot. */
    public int add(StoredTransition t) {
        lock.lock();
        try {
            int slot = next;
            slots[slot] = t;
            generation[slot] = inserted;
            if (priorities != null) {
                priorities.set(slot, maxPriority);
            }
            inserted++;
            next = (next + 1) % slots.length;
            size = Math.min(size + 1, slots.length);
            return slot;
        } finally {
            lock.unlock();
        }
    }

    /** Transitions currently held. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Transitions ever added. */
    public long inserted() {
        lock.lock();
        try {
            return inserted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fills {@code batch}: slots (with replacement), encoded states and bootstrap states, actions, returns,
     * discounts, masks, and importance-sampling weights (1 when uniform).
     *
     * @param updates updates done so far (anneals β)
     */
    public void sample(Batch batch, SplittableRandom random, StateEncoder encoder, long updates) {
        StoredTransition[] picked = new StoredTransition[batch.size];
        lock.lock();
        try {
            int n = size;
            if (n == 0) {
                throw new IllegalStateException("cannot sample an empty replay buffer");
            }
            if (priorities == null) {
                for (int i = 0; i < batch.size; i++) {
                    int slot = random.nextInt(n);
                    batch.slots[i] = slot;
                    batch.generations[i] = generation[slot];
                    picked[i] = slots[slot];
                    batch.weights[i] = 1f;
                }
            } else {
                double total = priorities.total();
                double segment = total / batch.size;
                double beta = config.beta(updates);
                double maxWeight = 0;
                double[] weights = new double[batch.size];
                for (int i = 0; i < batch.size; i++) {
                    // Stratified: one draw per equal slice of the total, so a batch covers the distribution.
                    double u = Math.min(total * (1 - 1e-12), (i + random.nextDouble()) * segment);
                    int slot = priorities.find(u);
                    if (slot >= n) {
                        slot = random.nextInt(n);
                    }
                    double p = priorities.get(slot) / total;
                    weights[i] = Math.pow(n * p, -beta);
                    maxWeight = Math.max(maxWeight, weights[i]);
                    batch.slots[i] = slot;
                    batch.generations[i] = generation[slot];
                    picked[i] = slots[slot];
                }
                for (int i = 0; i < batch.size; i++) {
                    batch.weights[i] = (float) (weights[i] / maxWeight);
                }
            }
        } finally {
            lock.unlock();
        }
        batch.states.clear();
        batch.nextStates.clear();
        for (int i = 0; i < batch.size; i++) {
            StoredTransition t = picked[i];
            int[] prompt = t.promptIds();
            int[] prefix = t.prefixIds();
            batch.states.add(encoder.encode(prompt, prefix, prefix.length));
            int[] next = t.bootstrapPrefixIds();
            batch.nextStates.add(encoder.encode(prompt, next, next.length));
            batch.actions[i] = t.action();
            batch.returns[i] = t.reward();
            batch.discounts[i] = t.discount();
            batch.nextMasks[i] = t.nextMaskIds();
            batch.masks[i] = t.maskIds();
            batch.demonstrations[i] = t.demonstration();
        }
    }

    /** New priorities (|δ| + ε)^α for the sampled rows whose slots were not overwritten meanwhile. */
    public void updatePriorities(Batch batch, float[] tdErrors) {
        if (priorities == null) {
            return;
        }
        lock.lock();
        try {
            for (int i = 0; i < batch.size; i++) {
                int slot = batch.slots[i];
                if (generation[slot] != batch.generations[i]) {
                    continue;
                }
                double p = Math.pow(Math.abs(tdErrors[i]) + config.priorityEpsilon(), config.alpha());
                if (Double.isFinite(p)) {
                    priorities.set(slot, p);
                    maxPriority = Math.max(maxPriority, p);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies a late change of {@code delta} to the reward of an episode's step (its last, as the scorer sends them):
     * every held transition of that episode whose n-step return includes the step moves by that step's weight in
     * it, as {@code nStep} (the assembler's) says. Returns how many transitions changed.
     */
    public int applyCorrection(long episodeHi, long episodeLo, int step, double delta, NStepReturn nStep) {
        int changed = 0;
        lock.lock();
        try {
            for (int i = 0; i < size; i++) {
                StoredTransition t = slots[i];
                if (t != null && t.sameEpisode(episodeHi, episodeLo) && nStep.includes(t.step(), step)) {
                    slots[i] = t.withReward(t.reward() + nStep.change(t.step(), step, delta));
                    changed++;
                }
            }
        } finally {
            lock.unlock();
        }
        return changed;
    }

    /** A consistent copy of the contents in ring order, oldest first (for checkpoints). */
    public Snapshot snapshot() {
        return snapshot(t -> true);
    }

    /**
     * A consistent copy of the transitions {@code keep} accepts, oldest first. Those left out count as not inserted:
     * a learner restored from it reads them again from Kafka.
     */
    public Snapshot snapshot(Predicate<StoredTransition> keep) {
        lock.lock();
        try {
            int n = size;
            List<StoredTransition> copy = new ArrayList<>(n);
            List<Float> p = new ArrayList<>(n);
            int oldest = (next - n + slots.length) % slots.length;
            for (int k = 0; k < n; k++) {
                int slot = (oldest + k) % slots.length;
                if (keep.test(slots[slot])) {
                    copy.add(slots[slot]);
                    p.add(priorities == null ? 1f : (float) priorities.get(slot));
                }
            }
            float[] pr = new float[p.size()];
            for (int i = 0; i < pr.length; i++) {
                pr[i] = p.get(i);
            }
            return new Snapshot(copy.toArray(new StoredTransition[0]), pr, inserted - (n - copy.size()), maxPriority);
        } finally {
            lock.unlock();
        }
    }

    /** Replaces the contents with a snapshot (oldest first); {@code inserted} continues from the snapshot's. */
    public void restore(Snapshot snapshot) {
        lock.lock();
        try {
            Arrays.fill(slots, null);
            StoredTransition[] items = snapshot.transitions();
            int keep = Math.min(items.length, slots.length);
            int from = items.length - keep;
            for (int k = 0; k < keep; k++) {
                slots[k] = items[from + k];
                generation[k] = snapshot.inserted() - keep + k;
                if (priorities != null) {
                    priorities.set(k, snapshot.priorities()[from + k]);
                }
            }
            if (priorities != null) {
                for (int k = keep; k < slots.length; k++) {
                    priorities.set(k, 0);
                }
            }
            size = keep;
            next = keep % slots.length;
            inserted = snapshot.inserted();
            maxPriority = Math.max(1.0, snapshot.maxPriority());
        } finally {
            lock.unlock();
        }
    }

    /** Approximate heap bytes held by the stored transitions (prompts counted once per distinct array). */
    public long approximateBytes() {
        lock.lock();
        try {
            Set<short[]> prompts = Collections.newSetFromMap(new IdentityHashMap<>());
            long bytes = 16L * slots.length;
            for (StoredTransition t : slots) {
                if (t != null) {
                    bytes += t.approximateBytes();
                    if (prompts.add(t.prompt())) {
                        bytes += 16 + 2L * t.prompt().length;
                    }
                }
            }
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Replay contents at one moment, oldest first. */
    public record Snapshot(StoredTransition[] transitions, float[] priorities, long inserted, double maxPriority) {
    }
}
