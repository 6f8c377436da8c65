package dev.qstream.learner.dqn;

/**
 * Every knob of DQN training, with its default (see {@link #defaults()} and docs/LEARNER.md): the update's, and the
 * n-step return's (γ and n) that replay's transitions are built with.
 *
 * @param gamma            discount factor γ. Read by the n-step assembler, which folds γⁿ into each transition's
 *                         discount; the update reads the batch's discounts, never this
 * @param learningRate     Adam step size α
 * @param batchSize        transitions per update
 * @param huberDelta       δ of the Huber loss: quadratic inside ±δ, linear outside
 * @param maxGradNorm      clip the global gradient norm to this (0 = no clipping)
 * @param doubleDqn        pick the next action with the online net, evaluate it with the target net
 * @param targetSyncEvery  copy online → target every N updates (used when tau = 0)
 * @param tau              Polyak averaging factor per update (0 = hard sync instead)
 * @param adamBeta1        Adam β1
 * @param adamBeta2        Adam β2
 * @param adamEpsilon      Adam ε
 * @param nStep            n of the n-step return. Read by the n-step assembler (and the reward corrections of
 *                         replay), like gamma; the update never reads it
 * @param optimizer        ADAM (default) or plain SGD (used to cross-check the update against DL4J)
 * @param dueling          dueling head: Q(s,a) = V(s) + A(s,a) − mean of A over the state's valid actions
 */
public record DqnConfig(double gamma, double learningRate, int batchSize, double huberDelta, double maxGradNorm,
                        boolean doubleDqn, int targetSyncEvery, double tau, double adamBeta1, double adamBeta2,
                        double adamEpsilon, int nStep, Optimizer optimizer, boolean dueling) {

    /** The parameter update rule. */
    public enum Optimizer { ADAM, SGD }

    public DqnConfig {
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in [0, 1]");
        }
        if (!(learningRate > 0) || batchSize < 1 || !(huberDelta > 0) || maxGradNorm < 0 || targetSyncEvery < 1
                || !(tau >= 0 && tau <= 1) || nStep < 1 || optimizer == null) {
            throw new IllegalArgumentException("invalid DQN settings: " + this);
        }
    }

    /** Without a dueling head. */
    public DqnConfig(double gamma, double learningRate, int batchSize, double huberDelta, double maxGradNorm,
                     boolean doubleDqn, int targetSyncEvery, double tau, double adamBeta1, double adamBeta2,
                     double adamEpsilon, int nStep, Optimizer optimizer) {
        this(gamma, learningRate, batchSize, huberDelta, maxGradNorm, doubleDqn, targetSyncEvery, tau, adamBeta1,
                adamBeta2, adamEpsilon, nStep, optimizer, false);
    }

    public static DqnConfig defaults() {
        return new DqnConfig(0.9, 1e-3, 64, 1.0, 10.0, true, 250, 0.0, 0.9, 0.999, 1e-8, 3, Optimizer.ADAM);
    }

    public DqnConfig withBatchSize(int b) {
        return new DqnConfig(gamma, learningRate, b, huberDelta, maxGradNorm, doubleDqn, targetSyncEvery, tau,
                adamBeta1, adamBeta2, adamEpsilon, nStep, optimizer, dueling);
    }

    public DqnConfig withLearningRate(double lr) {
        return new DqnConfig(gamma, lr, batchSize, huberDelta, maxGradNorm, doubleDqn, targetSyncEvery, tau,
                adamBeta1, adamBeta2, adamEpsilon, nStep, optimizer, dueling);
    }
}
