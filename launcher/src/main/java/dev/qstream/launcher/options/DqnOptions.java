package dev.qstream.launcher.options;

import dev.qstream.learner.dqn.DqnConfig;
import picocli.CommandLine.Option;

/** The DQN update's knobs, shared by {@code qstream learner} and {@code qstream bench learning}. */
public final class DqnOptions {

    @Option(names = "--gamma", defaultValue = "0.9", description = "Discount γ (default: ${DEFAULT-VALUE}).")
    public double gamma;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam step size (default: ${DEFAULT-VALUE}).")
    public double learningRate;

    @Option(names = "--batch-size", defaultValue = "64", description = "Transitions per update (default: ${DEFAULT-VALUE}).")
    public int batchSize;

    @Option(names = "--huber-delta", defaultValue = "1.0", description = "Huber loss δ (default: ${DEFAULT-VALUE}).")
    public double huberDelta;

    @Option(names = "--max-grad-norm", defaultValue = "10.0", description = "Global gradient-norm clip, 0 = none (default: ${DEFAULT-VALUE}).")
    public double maxGradNorm;

    @Option(names = "--no-double-dqn", description = "Vanilla DQN targets instead of double DQN.")
    public boolean noDoubleDqn;

    @Option(names = "--target-sync-every", defaultValue = "250", description = "Hard target sync every N updates (default: ${DEFAULT-VALUE}).")
    public int targetSyncEvery;

    @Option(names = "--tau", defaultValue = "0.0", description = "Polyak τ per update; 0 = hard sync (default: ${DEFAULT-VALUE}).")
    public double tau;

    @Option(names = "--n-step", defaultValue = "3", description = "n of the n-step return (default: ${DEFAULT-VALUE}).")
    public int nStep;

    @Option(names = "--dueling", description = "Dueling head: Q = V + A − mean of A over the state's valid actions.")
    public boolean dueling;

    public DqnConfig config() {
        DqnConfig defaults = DqnConfig.defaults();
        return new DqnConfig(gamma, learningRate, batchSize, huberDelta, maxGradNorm, !noDoubleDqn, targetSyncEvery, tau,
                defaults.adamBeta1(), defaults.adamBeta2(), defaults.adamEpsilon(), nStep, DqnConfig.Optimizer.ADAM, dueling);
    }
}
