package dev.qstream.launcher.options;

import dev.qstream.learner.replay.ReplayConfig;
import picocli.CommandLine.Option;

/** Replay's knobs, shared by {@code qstream learner} and {@code qstream bench learning}. */
public final class ReplayOptions {

    @Option(names = "--replay-capacity", defaultValue = "200000", description = "Transitions kept in replay (default: ${DEFAULT-VALUE}).")
    public int replayCapacity;

    @Option(names = "--uniform-replay", description = "Sample replay uniformly instead of by priority.")
    public boolean uniformReplay;

    @Option(names = "--priority-alpha", defaultValue = "0.6", description = "Prioritized replay α (default: ${DEFAULT-VALUE}).")
    public double priorityAlpha;

    @Option(names = "--priority-beta", defaultValue = "0.4", description = "Initial importance-sampling β, annealed to 1 (default: ${DEFAULT-VALUE}).")
    public double priorityBeta;

    @Option(names = "--beta-anneal-updates", defaultValue = "100000", description = "Updates over which β reaches 1 (default: ${DEFAULT-VALUE}).")
    public long betaAnnealUpdates;

    public ReplayConfig config() {
        return new ReplayConfig(replayCapacity, !uniformReplay, priorityAlpha, priorityBeta, betaAnnealUpdates, 1e-3);
    }
}
