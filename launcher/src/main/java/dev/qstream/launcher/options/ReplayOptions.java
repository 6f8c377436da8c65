package dev.qstream.launcher.options;

import dev.qstream.learner.replay.ReplayConfig;
import picocli.CommandLine.Option;

/** Replay's knobs, shared by {@code qstream learner} and {@code qstream bench learning}. */
public final class ReplayOptions {

    /** The one definition of every default: {@link ReplayConfig#defaults()}. */
    private static final ReplayConfig D = ReplayConfig.defaults();

    @Option(names = "--replay-capacity", description = "Transitions kept in replay (default: ${DEFAULT-VALUE}).")
    public int replayCapacity = D.capacity();

    @Option(names = "--uniform-replay", description = "Sample replay uniformly instead of by priority.")
    public boolean uniformReplay;

    @Option(names = "--priority-alpha", description = "Prioritized replay α (default: ${DEFAULT-VALUE}).")
    public double priorityAlpha = D.alpha();

    @Option(names = "--priority-beta", description = "Initial importance-sampling β, annealed to 1 (default: ${DEFAULT-VALUE}).")
    public double priorityBeta = D.betaStart();

    @Option(names = "--beta-anneal-updates", description = "Updates over which β reaches 1 (default: ${DEFAULT-VALUE}).")
    public long betaAnnealUpdates = D.betaAnnealUpdates();

    public ReplayConfig config() {
        return new ReplayConfig(replayCapacity, !uniformReplay, priorityAlpha, priorityBeta, betaAnnealUpdates, D.priorityEpsilon());
    }
}
