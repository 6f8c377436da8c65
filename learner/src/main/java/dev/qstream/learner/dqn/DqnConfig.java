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
 * @param demonstrationMargin  m of the large-margin loss on demonstrated steps (DQfD): every other valid action's Q
 *                         must stay at least m below the demonstrated one's
 * @param demonstrationWeight  λ, the weight of that loss next to the TD loss (0 = demonstrations train by TD only)
 * @param learningRateFinalFraction α after the decay, as a share of {@code learningRate}: α falls linearly to
 *                         it over {@code learningRateDecayUpdates} updates, then holds (1 = constant α). A slow
 *                         late rate keeps a policy learned from a fixed set of prompts from drifting (docs/LEARNING.md)
 * @param learningRateDecayUpdates updates over which α decays
 * @param inputDropout     share of each trained state's active inputs dropped at random (the rest scaled up to
 *                         keep the expected sum), so the net does not lean on any one feature of the prompts it saw;
 *                         0 = off. Targets and actors see whole states
 *
 * <p>Build with {@link #builder()} (named, every knob starting at its default) or {@link #toBuilder()}.
 */
public record DqnConfig(double gamma, double learningRate, int batchSize, double huberDelta, double maxGradNorm,
                        boolean doubleDqn, int targetSyncEvery, double tau, double adamBeta1, double adamBeta2,
                        double adamEpsilon, int nStep, Optimizer optimizer, boolean dueling,
                        double demonstrationMargin, double demonstrationWeight, double learningRateFinalFraction,
                        long learningRateDecayUpdates, double inputDropout) {

    /** The parameter update rule. */
    public enum Optimizer { ADAM, SGD }

    public DqnConfig {
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in [0, 1]");
        }
        if (!(learningRate > 0) || batchSize < 1 || !(huberDelta > 0) || maxGradNorm < 0 || targetSyncEvery < 1
                || !(tau >= 0 && tau <= 1) || nStep < 1 || optimizer == null
                || !(demonstrationMargin >= 0) || !(demonstrationWeight >= 0)
                || !(learningRateFinalFraction > 0 && learningRateFinalFraction <= 1) || learningRateDecayUpdates < 1
                || !(inputDropout >= 0 && inputDropout < 1)) {
            throw new IllegalArgumentException("invalid DQN settings: " + this);
        }
    }

    /** α at update t (1-based): linear from learningRate to its final share over the decay, then constant. */
    public double learningRateAt(long t) {
        double done = Math.min(1.0, (double) Math.max(0, t - 1) / learningRateDecayUpdates);
        return learningRate * (1 + (learningRateFinalFraction - 1) * done);
    }

    /** The defaults: the one place they are written. */
    public static DqnConfig defaults() {
        return builder().build();
    }

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.gamma = gamma;
        b.learningRate = learningRate;
        b.batchSize = batchSize;
        b.huberDelta = huberDelta;
        b.maxGradNorm = maxGradNorm;
        b.doubleDqn = doubleDqn;
        b.targetSyncEvery = targetSyncEvery;
        b.tau = tau;
        b.adamBeta1 = adamBeta1;
        b.adamBeta2 = adamBeta2;
        b.adamEpsilon = adamEpsilon;
        b.nStep = nStep;
        b.optimizer = optimizer;
        b.dueling = dueling;
        b.demonstrationMargin = demonstrationMargin;
        b.demonstrationWeight = demonstrationWeight;
        b.learningRateFinalFraction = learningRateFinalFraction;
        b.learningRateDecayUpdates = learningRateDecayUpdates;
        b.inputDropout = inputDropout;
        return b;
    }

    public DqnConfig withBatchSize(int b) {
        return toBuilder().batchSize(b).build();
    }

    /** Named construction; each field starts at its default. */
    public static final class Builder {
        private double gamma = 0.9;
        private double learningRate = 2e-4;
        private int batchSize = 64;
        private double huberDelta = 1.0;
        private double maxGradNorm = 10.0;
        private boolean doubleDqn = true;
        private int targetSyncEvery = 250;
        private double tau = 0.0;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private int nStep = 3;
        private Optimizer optimizer = Optimizer.ADAM;
        private boolean dueling = false;
        private double demonstrationMargin = 0.8;
        private double demonstrationWeight = 1.0;
        private double learningRateFinalFraction = 0.1;
        private long learningRateDecayUpdates = 60_000;
        private double inputDropout = 0.1;

        private Builder() {
        }

        public Builder gamma(double v) { gamma = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder huberDelta(double v) { huberDelta = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder doubleDqn(boolean v) { doubleDqn = v; return this; }
        public Builder targetSyncEvery(int v) { targetSyncEvery = v; return this; }
        public Builder tau(double v) { tau = v; return this; }
        public Builder adamBeta1(double v) { adamBeta1 = v; return this; }
        public Builder adamBeta2(double v) { adamBeta2 = v; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder nStep(int v) { nStep = v; return this; }
        public Builder optimizer(Optimizer v) { optimizer = v; return this; }
        public Builder dueling(boolean v) { dueling = v; return this; }
        public Builder demonstrationMargin(double v) { demonstrationMargin = v; return this; }
        public Builder demonstrationWeight(double v) { demonstrationWeight = v; return this; }
        public Builder learningRateFinalFraction(double v) { learningRateFinalFraction = v; return this; }
        public Builder learningRateDecayUpdates(long v) { learningRateDecayUpdates = v; return this; }
        public Builder inputDropout(double v) { inputDropout = v; return this; }

        public DqnConfig build() {
            return new DqnConfig(gamma, learningRate, batchSize, huberDelta, maxGradNorm, doubleDqn, targetSyncEvery,
                    tau, adamBeta1, adamBeta2, adamEpsilon, nStep, optimizer, dueling, demonstrationMargin,
                    demonstrationWeight, learningRateFinalFraction, learningRateDecayUpdates, inputDropout);
        }
    }
}
