package dev.qstream.learner.replay;

/**
 * The n-step return's discounting, in one place: {@code R_t = Σ_{t ≤ s < t+m} γ^(s − t) r_s} with
 * {@code m = min(n, T − t + 1)}, bootstrapping with γⁿ when the episode goes on past step t + n − 1. The
 * {@link NStepAssembler} builds returns with it, and a late change to one step's reward moves each held return by
 * that step's weight ({@link ReplayBuffer#applyCorrection}). Powers of γ are taken by repeated float multiplication,
 * the same products whichever side asks.
 */
public final class NStepReturn {

    private final int n;
    private final float[] powers; // γ^k for k = 0 … n

    public NStepReturn(int n, double gamma) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1");
        }
        this.n = n;
        this.powers = new float[n + 1];
        float g = 1f;
        for (int k = 0; k <= n; k++) {
            powers[k] = g;
            g *= (float) gamma;
        }
    }

    public int n() {
        return n;
    }

    /** γ^k, k steps of discount (0 ≤ k ≤ n). */
    public float discount(int k) {
        return powers[k];
    }

    /** γⁿ: the bootstrap discount of a return that does not reach the episode's end. */
    public float bootstrapDiscount() {
        return powers[n];
    }

    /** Whether the n-step return of step t sums the reward of step s. */
    public boolean includes(int t, int s) {
        return t <= s && s < t + n;
    }

    /** How far a change of {@code delta} in step s's reward moves the n-step return of step t (0 if it excludes s). */
    public float change(int t, int s, double delta) {
        return includes(t, s) ? (float) (powers[s - t] * delta) : 0f;
    }
}
