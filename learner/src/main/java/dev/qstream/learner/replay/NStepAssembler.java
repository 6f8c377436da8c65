package dev.qstream.learner.replay;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns scored steps into n-step transitions, episode by episode:
 * {@code R_t = Σ_{k<m} γ^k r_{t+k}} with {@code m = min(n, T − t + 1)}, bootstrapping from s_{t+n} with γⁿ when the
 * episode goes on for n more steps, and not at all (discount 0) when it ends sooner. A step is emitted as soon as the
 * n steps after it (or the episode's end) are known, so no return crosses into another episode. The scorer writes
 * an episode's steps in order on one partition, so the first step seen of an episode is where emission starts (a
 * learner resuming mid-episode after a checkpoint picks up there); a repeated step is ignored. Holds at most
 * {@code maxPendingEpisodes} unfinished episodes, dropping the oldest beyond that (counted).
 */
public final class NStepAssembler {

    private final NStepReturn nStep;
    private final int n;
    private final int maxPendingEpisodes;
    private final Map<UUID, Pending> pending = new HashMap<>();
    private long dropped;
    private long arrivals;

    public NStepAssembler(int n, double gamma, int maxPendingEpisodes) {
        this.nStep = new NStepReturn(n, gamma);
        this.n = n;
        this.maxPendingEpisodes = maxPendingEpisodes;
    }

    /** Adds one scored step read from {@code partition}@{@code offset}; returns the transitions that became complete. */
    public List<StoredTransition> add(ScoredTransition scored, int partition, long offset) {
        Transition t = scored.getTransition();
        UUID episode = UUID.fromString(t.getEpisodeId());
        Pending p = pending.get(episode);
        if (p == null) {
            if (pending.size() >= maxPendingEpisodes) {
                evictOldest();
            }
            p = new Pending(episode, StoredTransition.narrow(t.getPromptTokens()), t.getStep(), arrivals++);
            pending.put(episode, p);
        }
        if (p.steps.containsKey(t.getStep()) || t.getStep() < p.nextToEmit) {
            return List.of(); // a duplicate
        }
        p.steps.put(t.getStep(), new Step(scored, partition, offset));
        if (t.getDone()) {
            p.lastStep = t.getStep();
        }
        List<StoredTransition> out = p.emitReady();
        if (p.finished()) {
            pending.remove(episode);
        }
        return out;
    }

    /**
     * Per partition, the smallest offset of a step still held (not yet in replay). A checkpoint must resume reading
     * there, or those steps would be lost.
     */
    public Map<Integer, Long> minPendingOffsets() {
        Map<Integer, Long> min = new HashMap<>();
        for (Pending p : pending.values()) {
            for (Step s : p.steps.values()) {
                min.merge(s.partition, s.offset, Math::min);
            }
        }
        return min;
    }

    /** The discounting the returns are built with (for corrections to rewards already summed into them). */
    public NStepReturn nStepReturn() {
        return nStep;
    }

    public int pendingEpisodes() {
        return pending.size();
    }

    public long droppedEpisodes() {
        return dropped;
    }

    private void evictOldest() {
        UUID oldest = null;
        long order = Long.MAX_VALUE;
        for (Map.Entry<UUID, Pending> e : pending.entrySet()) {
            if (e.getValue().arrival < order) {
                order = e.getValue().arrival;
                oldest = e.getKey();
            }
        }
        if (oldest != null) {
            pending.remove(oldest);
            dropped++;
        }
    }

    private record Step(ScoredTransition scored, int partition, long offset) {
    }

    private final class Pending {
        final UUID episode;
        final short[] prompt;
        final long arrival;
        final TreeMap<Integer, Step> steps = new TreeMap<>();
        int lastStep = -1;
        int nextToEmit;

        Pending(UUID episode, short[] prompt, int firstStep, long arrival) {
            this.episode = episode;
            this.prompt = prompt;
            this.nextToEmit = firstStep;
            this.arrival = arrival;
        }

        boolean finished() {
            return lastStep >= 0 && nextToEmit > lastStep;
        }

        List<StoredTransition> emitReady() {
            List<StoredTransition> out = new ArrayList<>();
            while (!finished()) {
                int t = nextToEmit;
                // Steps t … t+n−1 (or up to the last step) must be known to form R_t and its bootstrap.
                if (!present(t, lastStep >= 0 ? Math.min(t + n - 1, lastStep) : t + n - 1)) {
                    break;
                }
                out.add(build(t));
                nextToEmit++;
                // Keep only the steps later transitions still need.
                steps.headMap(nextToEmit).clear();
            }
            return out;
        }

        private boolean present(int from, int to) {
            for (int s = from; s <= to; s++) {
                if (!steps.containsKey(s)) {
                    return false;
                }
            }
            return true;
        }

        private StoredTransition build(int t) {
            Step first = steps.get(t);
            Transition tr = first.scored.getTransition();
            int end = lastStep >= 0 ? Math.min(t + n, lastStep + 1) : t + n; // exclusive end of the summed steps
            int m = end - t;
            float reward = 0f;
            short[] bootstrap = new short[m];
            // The return sums m steps, possibly chosen by different versions (an actor swaps models between steps):
            // the transition is as stale as the oldest of them.
            long policyVersion = Long.MAX_VALUE;
            for (int k = 0; k < m; k++) {
                ScoredTransition s = steps.get(t + k).scored;
                reward += nStep.discount(k) * (float) s.getReward();
                bootstrap[k] = StoredTransition.narrow(s.getTransition().getAction());
                policyVersion = Math.min(policyVersion, s.getTransition().getPolicyVersion());
            }
            boolean bootstraps = lastStep < 0 || t + n <= lastStep;
            ScoredTransition beforeBootstrap = steps.get(t + m - 1).scored;
            short[] nextMask = !bootstraps || beforeBootstrap.getNextValidActions() == null ? null
                    : StoredTransition.narrow(beforeBootstrap.getNextValidActions());
            short[] mask = tr.getValidActions() == null ? null : StoredTransition.narrow(tr.getValidActions());
            return new StoredTransition(episode.getMostSignificantBits(), episode.getLeastSignificantBits(), t, prompt,
                    StoredTransition.narrow(tr.getPrefixTokens()), tr.getAction(), reward,
                    bootstraps ? nStep.bootstrapDiscount() : 0f,
                    bootstrap, mask, nextMask, lastStep, first.partition, first.offset,
                    tr.getExploration() == ExplorationStrategy.DEMONSTRATION, StoredTransition.narrowVersion(policyVersion));
        }
    }
}
