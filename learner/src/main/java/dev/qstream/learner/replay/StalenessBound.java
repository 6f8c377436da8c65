package dev.qstream.learner.replay;

import java.util.Objects;

/**
 * How far off-policy replay may train: a transition is <em>stale</em> when its policy lag ({@link PolicyLag#of})
 * is above {@code maxPolicyLag} versions, and is then dropped or down-weighted as {@code treatment} says.
 * Demonstrations are never stale: no policy chose their actions (their version is 0), and they stay as valuable as
 * the reference they say however old the learner's model becomes.
 *
 * @param maxPolicyLag K, in model versions; 0 = unbounded (nothing is ever stale)
 * @param treatment    what happens to stale transitions
 */
public record StalenessBound(int maxPolicyLag, StaleTransitions treatment) {

    /** No bound: every transition is trained on as it is (the behaviour before the bound existed). */
    public static final StalenessBound UNBOUNDED = new StalenessBound(0, StaleTransitions.DROP);

    public StalenessBound {
        Objects.requireNonNull(treatment, "treatment");
        if (maxPolicyLag < 0) {
            throw new IllegalArgumentException("maxPolicyLag must be >= 0 (0 = unbounded), got " + maxPolicyLag);
        }
    }

    public boolean bounded() {
        return maxPolicyLag > 0;
    }

    /** Whether {@code t} is past the bound while the learner's newest model is {@code modelVersion}. */
    public boolean isStale(StoredTransition t, long modelVersion) {
        return bounded() && !t.demonstration() && PolicyLag.of(t, modelVersion) > maxPolicyLag;
    }

    boolean drops(StoredTransition t, long modelVersion) {
        return treatment == StaleTransitions.DROP && isStale(t, modelVersion);
    }

    boolean downweights(StoredTransition t, long modelVersion) {
        return treatment == StaleTransitions.DOWNWEIGHT && isStale(t, modelVersion);
    }

    /**
     * DOWNWEIGHT's factor on the importance weight: 0.5^(lag − K) past the bound, 1 within it. Halving per version
     * keeps a row just past the bound useful and makes one ten versions past it count 1/1024, without a cliff at K.
     */
    public float weightFactor(long lag) {
        return !bounded() || lag <= maxPolicyLag ? 1f : (float) Math.pow(0.5, lag - maxPolicyLag);
    }
}
