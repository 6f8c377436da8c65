package dev.qstream.launcher.options;

import dev.qstream.learner.dqn.DqnConfig;
import picocli.CommandLine.Option;

/** The DQN update's knobs, shared by {@code qstream learner} and {@code qstream bench learning}. */
public final class DqnOptions {

    /** The one definition of every default: {@link DqnConfig#defaults()}. */
    private static final DqnConfig D = DqnConfig.defaults();

    @Option(names = "--gamma", description = "Discount γ (default: ${DEFAULT-VALUE}).")
    public double gamma = D.gamma();

    @Option(names = "--learning-rate", description = "Adam step size (default: ${DEFAULT-VALUE}).")
    public double learningRate = D.learningRate();

    @Option(names = "--learning-rate-final-fraction", description = "Share of the learning rate it decays to, linearly; 1 = no decay (default: ${DEFAULT-VALUE}).")
    public double learningRateFinalFraction = D.learningRateFinalFraction();

    @Option(names = "--learning-rate-decay-updates", description = "Updates over which the learning rate decays (default: ${DEFAULT-VALUE}).")
    public long learningRateDecayUpdates = D.learningRateDecayUpdates();

    @Option(names = "--input-dropout", description = "Share of a trained state's active inputs dropped at random; 0 = off (default: ${DEFAULT-VALUE}).")
    public double inputDropout = D.inputDropout();

    @Option(names = "--batch-size", description = "Transitions per update (default: ${DEFAULT-VALUE}).")
    public int batchSize = D.batchSize();

    @Option(names = "--huber-delta", description = "Huber loss δ (default: ${DEFAULT-VALUE}).")
    public double huberDelta = D.huberDelta();

    @Option(names = "--max-grad-norm", description = "Global gradient-norm clip, 0 = none (default: ${DEFAULT-VALUE}).")
    public double maxGradNorm = D.maxGradNorm();

    @Option(names = "--no-double-dqn", description = "Vanilla DQN targets instead of double DQN.")
    public boolean noDoubleDqn;

    @Option(names = "--target-sync-every", description = "Hard target sync every N updates (default: ${DEFAULT-VALUE}).")
    public int targetSyncEvery = D.targetSyncEvery();

    @Option(names = "--tau", description = "Polyak τ per update; 0 = hard sync (default: ${DEFAULT-VALUE}).")
    public double tau = D.tau();

    @Option(names = "--n-step", description = "n of the n-step return (default: ${DEFAULT-VALUE}).")
    public int nStep = D.nStep();

    @Option(names = "--dueling", description = "Dueling head: Q = V + A − mean of A over the state's valid actions.")
    public boolean dueling;

    @Option(names = "--demonstration-margin", description = "Large-margin loss on demonstrated steps: other actions' Q kept this far below (default: ${DEFAULT-VALUE}).")
    public double demonstrationMargin = D.demonstrationMargin();

    @Option(names = "--demonstration-weight", description = "Weight of that loss next to the TD loss; 0 = demonstrations train by TD only (default: ${DEFAULT-VALUE}).")
    public double demonstrationWeight = D.demonstrationWeight();

    public DqnConfig config() {
        return D.toBuilder().gamma(gamma).learningRate(learningRate)
                .learningRateFinalFraction(learningRateFinalFraction)
                .learningRateDecayUpdates(learningRateDecayUpdates).inputDropout(inputDropout).batchSize(batchSize).huberDelta(huberDelta)
                .maxGradNorm(maxGradNorm).doubleDqn(!noDoubleDqn).targetSyncEvery(targetSyncEvery).tau(tau).nStep(nStep)
                .dueling(dueling).demonstrationMargin(demonstrationMargin).demonstrationWeight(demonstrationWeight).build();
    }
}
