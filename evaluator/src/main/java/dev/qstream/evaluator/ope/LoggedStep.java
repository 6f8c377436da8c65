package dev.qstream.evaluator.ope;

/**
 * One logged decision as the off-policy estimators see it: what the behaviour policy did (its probability of the
 * action it took, and the reward that followed) next to what the candidate policy makes of the same state and action.
 *
 * @param behaviourProbability μ(a_t|s_t), as the actor logged it; in (0, 1]
 * @param reward               r_t, the step's reward as the scorer gave it
 * @param targetProbability    π(a_t|s_t), the candidate's probability of the logged action; in [0, 1]
 * @param targetQ              Q̂(s_t, a_t), the candidate's value of the logged action
 * @param targetValue          V̂(s_t) = Σ_a π(a|s_t)·Q̂(s_t, a), the candidate's value of the state
 */
public record LoggedStep(double behaviourProbability, double reward, double targetProbability, double targetQ,
                         double targetValue) {

    public LoggedStep {
        // A zero behaviour probability would make the importance ratio infinite: such a step cannot have been taken.
        if (!(behaviourProbability > 0 && behaviourProbability <= 1)) {
            throw new IllegalArgumentException("behaviour probability must be in (0, 1], got " + behaviourProbability);
        }
        if (!(targetProbability >= 0 && targetProbability <= 1)) {
            throw new IllegalArgumentException("target probability must be in [0, 1], got " + targetProbability);
        }
        if (!Double.isFinite(reward) || !Double.isFinite(targetQ) || !Double.isFinite(targetValue)) {
            throw new IllegalArgumentException("reward, Q and V must be finite: " + reward + ", " + targetQ + ", " + targetValue);
        }
    }

    /** π(a_t|s_t)/μ(a_t|s_t), unclipped. */
    public double ratio() {
        return targetProbability / behaviourProbability;
    }
}
