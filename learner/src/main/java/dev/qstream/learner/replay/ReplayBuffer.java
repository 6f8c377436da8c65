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
 *
 * <p>Replay knows the learner's newest published model version ({@link #advanceVersion}), records each sampled
 * row's policy lag against it, and applies the {@link StalenessBound}. Under DROP a stale transition leaves replay
 * for good (its slot is emptied and given priority 0, and refused on arrival if already stale) rather than being
 * skipped and re-drawn at sampling time: lag only grows, so it would be skipped forever while taking a share of
 * the draws; emptied, it is simply not in the distribution, prioritized sampling stays exactly proportional over
 * the fresh transitions and N in the importance weights counts only them.
 */
public final class ReplayBuffer {

    private final ReplayConfig config;
    private final StalenessBound staleness;
    private final StoredTransition[] slots;
    private final long[] generation;
    private final SumTree priorities;
    private final ReentrantLock lock = new ReentrantLock();
    private double maxPriority = 1.0;
    private long inserted;   // ever added (the rate limiter counts it); also each slot's generation stamp
    private int filled;      // ring slots written at least once
    private int held;        // slots holding a transition: filled, less those emptied as stale
    private int next;        // where the next transition goes
    private long modelVersion;       // the learner's newest published version: what policy lag is measured against
    private long staleDropped;       // transitions dropped as stale (each once)
    private long staleDownweighted;  // sampled rows whose weight was lowered as stale (each time sampled)

    /** Replay without a staleness bound. */
    public ReplayBuffer(ReplayConfig config) {
        this(config, StalenessBound.UNBOUNDED);
    }

    public ReplayBuffer(ReplayConfig config, StalenessBound staleness) {
        this.config = config;
        this.staleness = staleness;
        this.slots = new StoredTransition[config.capacity()];
        this.generation = new long[config.capacity()];
        this.priorities = config.prioritized() ? new SumTree(config.capacity()) : null;
    }

    public ReplayConfig config() {
        return config;
    }

    public StalenessBound staleness() {
        return staleness;
    }

    public int capacity() {
        return slots.length;
    }

    /**
     * Adds a transition, overwriting the oldest when full; returns its slot, or -1 when the staleness bound drops it
     * on arrival (a slow actor's steps can already be older than the bound allows).
     */
    public int add(StoredTransition t) {
        lock.lock();
        try {
            if (staleness.drops(t, modelVersion)) {
                staleDropped++;
                return -1;
            }
            int slot = next;
            if (slots[slot] == null) {
                held++;
            }
            slots[slot] = t;
            generation[slot] = inserted;
            if (priorities != null) {
                priorities.set(slot, maxPriority);
            }
            inserted++;
            next = (next + 1) % slots.length;
            filled = Math.min(filled + 1, slots.length);
            return slot;
        } finally {
            lock.unlock();
        }
    }

    /** Transitions currently held (those dropped as stale no longer count). */
    public int size() {
        lock.lock();
        try {
            return held;
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
     * The learner published {@code version}: policy lag is measured against it from now on, and under DROP every
     * transition it leaves more than K versions behind is emptied from its slot. Returns how many were dropped.
     */
    public int advanceVersion(long version) {
        lock.lock();
        try {
            modelVersion = version;
            if (!staleness.bounded() || staleness.treatment() != StaleTransitions.DROP) {
                return 0;
            }
            int dropped = 0;
            for (int slot = 0; slot < filled; slot++) {
                StoredTransition t = slots[slot];
                if (t != null && staleness.drops(t, version)) {
                    slots[slot] = null;
                    generation[slot] = -1; // a priority update for a row sampled before must not revive the slot
                    if (priorities != null) {
                        priorities.set(slot, 0);
                    }
                    held--;
                    dropped++;
                }
            }
            staleDropped += dropped;
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The model version policy lag is measured against (the last one {@link #advanceVersion} was given). */
    public long modelVersion() {
        lock.lock();
        try {
            return modelVersion;
        } finally {
            lock.unlock();
        }
    }

    /** Transitions the staleness bound dropped so far, on arrival or from replay (DROP). */
    public long staleDropped() {
        lock.lock();
        try {
            return staleDropped;
        } finally {
            lock.unlock();
        }
    }

    /** Sampled rows whose importance weight the staleness bound lowered so far (DOWNWEIGHT). */
    public long staleDownweighted() {
        lock.lock();
        try {
            return staleDownweighted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fills {@code batch}: slots (with replacement), encoded states and bootstrap states, actions, returns,
     * discounts, masks, importance-sampling weights (1 when uniform; DOWNWEIGHT lowers the stale rows' after the
     * normalisation, so a batch of stale rows is not scaled back up), and each row's policy lag.
     *
     * @param updates updates done so far (anneals β)
     */
    public void sample(Batch batch, SplittableRandom random, StateEncoder encoder, long updates) {
        StoredTransition[] picked = new StoredTransition[batch.size];
        long version;
        lock.lock();
        try {
            if (held == 0) {
                throw new IllegalStateException("cannot sample an empty replay buffer");
            }
            version = modelVersion;
            if (priorities == null) {
                for (int i = 0; i < batch.size; i++) {
                    int slot = randomHeldSlot(random);
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
                    if (slot >= filled || slots[slot] == null) {
                        // Rounding left in the tree's sums can lead the search to an unused or emptied slot.
                        slot = randomHeldSlot(random);
                    }
                    double p = priorities.get(slot) / total;
                    weights[i] = Math.pow(held * p, -beta);
                    maxWeight = Math.max(maxWeight, weights[i]);
                    batch.slots[i] = slot;
                    batch.generations[i] = generation[slot];
                    picked[i] = slots[slot];
                }
                for (int i = 0; i < batch.size; i++) {
                    batch.weights[i] = (float) (weights[i] / maxWeight);
                }
            }
            for (int i = 0; i < batch.size; i++) {
                long lag = PolicyLag.of(picked[i], version);
                batch.policyLags[i] = lag;
                if (staleness.downweights(picked[i], version)) {
                    batch.weights[i] *= staleness.weightFactor(lag);
                    staleDownweighted++;
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

    /**
     * A uniformly drawn slot that holds a transition. Rejection over the filled slots: at most capacity / held draws
     * on average, and the rate limiter samples only once replay holds its minimum (500 by default).
     */
    private int randomHeldSlot(SplittableRandom random) {
        while (true) {
            int slot = random.nextInt(filled);
            if (slots[slot] != null) {
                return slot;
            }
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
            for (int i = 0; i < filled; i++) {
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
     * a learner restored from it reads them again from Kafka. Those dropped as stale are not in it, and still count
     * as inserted (they were read, and will not be read again).
     */
    public Snapshot snapshot(Predicate<StoredTransition> keep) {
        lock.lock();
        try {
            List<StoredTransition> copy = new ArrayList<>(held);
            List<Float> p = new ArrayList<>(held);
            int leftOut = 0;
            int oldest = (next - filled + slots.length) % slots.length;
            for (int k = 0; k < filled; k++) {
                int slot = (oldest + k) % slots.length;
                StoredTransition t = slots[slot];
                if (t == null) {
                    continue;
                }
                if (keep.test(t)) {
                    copy.add(t);
                    p.add(priorities == null ? 1f : (float) priorities.get(slot));
                } else {
                    leftOut++;
                }
            }
            float[] pr = new float[p.size()];
            for (int i = 0; i < pr.length; i++) {
                pr[i] = p.get(i);
            }
            return new Snapshot(copy.toArray(new StoredTransition[0]), pr, inserted - leftOut, maxPriority);
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
            filled = keep;
            held = keep;
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
