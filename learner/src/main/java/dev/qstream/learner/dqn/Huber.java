package dev.qstream.learner.dqn;

/** The Huber loss of a TD error δ: quadratic inside ±κ, linear outside, so one outlier cannot blow up a step. */
final class Huber {

    private Huber() {
    }

    /** huber_κ(δ) = δ²/2 when |δ| ≤ κ, else κ·(|δ| − κ/2). */
    static double loss(float delta, float kappa) {
        float ad = Math.abs(delta);
        return ad <= kappa ? 0.5 * delta * delta : kappa * (ad - 0.5 * kappa);
    }

    /** d huber_κ(δ) / dδ = δ clipped to [−κ, κ]. */
    static float slope(float delta, float kappa) {
        return Math.max(-kappa, Math.min(kappa, delta));
    }
}
