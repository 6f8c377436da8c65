package dev.qstream.learner.replay;

import dev.qstream.learner.dqn.Batch;

/**
 * Policy lag over some sampled rows: how many model versions the learner's newest published model is ahead of the
 * policy that chose each row's action. Demonstrations have no policy and are left out (their version 0 would read
 * as a lag as large as the model version). Adds up over batches ({@link #plus}), so one value can cover the
 * updates between two published versions.
 *
 * @param rows rows counted (sampled, not demonstrated)
 * @param sum  sum of their lags
 * @param max  the largest lag among them (0 when none)
 */
public record PolicyLag(long rows, long sum, long max) {

    public static final PolicyLag NONE = new PolicyLag(0, 0, 0);

    /**
     * The definition: {@code modelVersion − t.policyVersion()}, the learner's newest published version at sampling
     * time minus the behaviour version; never negative, and 0 for a demonstration.
     */
    public static long of(StoredTransition t, long modelVersion) {
        return t.demonstration() ? 0 : Math.max(0, modelVersion - t.policyVersion());
    }

    /** The lag of a sampled batch's policy rows ({@link Batch#policyLags}, filled by {@link ReplayBuffer#sample}). */
    public static PolicyLag of(Batch batch) {
        long rows = 0;
        long sum = 0;
        long max = 0;
        for (int i = 0; i < batch.size; i++) {
            if (!batch.demonstrations[i]) {
                rows++;
                sum += batch.policyLags[i];
                max = Math.max(max, batch.policyLags[i]);
            }
        }
        return new PolicyLag(rows, sum, max);
    }

    public PolicyLag plus(PolicyLag other) {
        return new PolicyLag(rows + other.rows, sum + other.sum, Math.max(max, other.max));
    }

    /** Mean lag of the rows; 0 when there were none (only demonstrations, or nothing sampled). */
    public double mean() {
        return rows == 0 ? 0 : (double) sum / rows;
    }
}
