package dev.qstream.learner.replay;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.policy.state.StateEncoder;

import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fixed-capacity ring of transitions, sampled uniformly. Safe for one writer (the consumer thread) and one sampler
 * (the training thread): both take a short lock; sampling copies what it needs under it.
 */
public final class ReplayBuffer {

    private final StoredTransition[] slots;
    private final ReentrantLock lock = new ReentrantLock();
    private long inserted;

    public ReplayBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay capacity must be >= 1");
        }
        this.slots = new StoredTransition[capacity];
    }

    public int capacity() {
        return slots.length;
    }

    public void add(StoredTransition t) {
        lock.lock();
        try {
            slots[(int) (inserted % slots.length)] = t;
            inserted++;
        } finally {
            lock.unlock();
        }
    }

    /** Transitions currently held. */
    public int size() {
        lock.lock();
        try {
            return (int) Math.min(inserted, slots.length);
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
     * Fills {@code batch} with uniformly sampled transitions (with replacement), encoding states with the encoder.
     *
     * @param gamma discount for the bootstrap of non-terminal transitions
     */
    public void sample(Batch batch, SplittableRandom random, StateEncoder encoder, float gamma) {
        StoredTransition[] picked = new StoredTransition[batch.size];
        lock.lock();
        try {
            int n = (int) Math.min(inserted, slots.length);
            if (n == 0) {
                throw new IllegalStateException("cannot sample an empty replay buffer");
            }
            for (int i = 0; i < batch.size; i++) {
                int slot = random.nextInt(n);
                batch.slots[i] = slot;
                picked[i] = slots[slot];
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < batch.size; i++) {
            StoredTransition t = picked[i];
            int[] prompt = t.promptIds();
            int[] prefix = StoredTransition.widen(t.prefix());
            encoder.encodeInto(prompt, prefix, prefix.length, batch.states, i * batch.inputs);
            int[] next = t.nextPrefixIds();
            encoder.encodeInto(prompt, next, next.length, batch.nextStates, i * batch.inputs);
            batch.actions[i] = t.action();
            batch.returns[i] = t.reward();
            batch.discounts[i] = t.done() ? 0f : gamma;
            batch.nextMasks[i] = t.nextMaskIds();
            batch.weights[i] = 1f;
        }
    }
}
