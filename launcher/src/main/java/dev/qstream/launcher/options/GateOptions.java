package dev.qstream.launcher.options;

import dev.qstream.learner.deploy.GateConfig;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The promotion gate's options, shared by {@code qstream learner} and {@code qstream up} (which hands them on). */
public final class GateOptions {

    private static final GateConfig D = GateConfig.defaults();

    @Option(names = "--gate", description = "Run the promotion gate: each new version serves a canary share as a challenger and must earn "
            + "its promotion against the champion on reward; a worse one is rolled back (docs/DEPLOYMENT.md). Off: every version serves at once.")
    public boolean enabled;

    @Option(names = "--canary-fraction", description = "Share of episodes the challenger serves during a trial (default: ${DEFAULT-VALUE}).")
    public double canaryFraction = D.canaryFraction();

    @Option(names = "--gate-min-episodes", description = "Scored episodes each side needs before the gate decides (default: ${DEFAULT-VALUE}).")
    public int minEpisodes = D.minEpisodes();

    @Option(names = "--gate-max-episodes", description = "Challenger episodes after which an undecided trial goes by its point estimate (default: ${DEFAULT-VALUE}).")
    public int maxEpisodes = D.maxEpisodes();

    @Option(names = "--gate-confidence", description = "Confidence level of the interval on the reward difference (default: ${DEFAULT-VALUE}).")
    public double confidence = D.confidence();

    @Option(names = "--gate-margin", description = "How much lower the challenger's mean reward may be and still be promoted (default: ${DEFAULT-VALUE}).")
    public double margin = D.margin();

    @Option(names = "--drill-bad-challenger", paramLabel = "N",
            description = "Fault drill: sabotage the N-th challenger (it ends every episode at once) to rehearse an automatic rollback; 0 = never (default: ${DEFAULT-VALUE}).")
    public int drillBadChallenger = D.drillBadChallenger();

    /** The gate's settings, or empty when it is off (checked here, so a bad value fails at the command line). */
    public Optional<GateConfig> config() {
        if (!enabled) {
            return Optional.empty();
        }
        return Optional.of(new GateConfig(canaryFraction, minEpisodes, maxEpisodes, confidence, margin, drillBadChallenger));
    }

    /** The same options as arguments for a learner child process. */
    public List<String> args() {
        List<String> a = new ArrayList<>();
        if (enabled) {
            config(); // fail here rather than in the child
            a.addAll(List.of("--gate", "--canary-fraction", String.valueOf(canaryFraction),
                    "--gate-min-episodes", String.valueOf(minEpisodes), "--gate-max-episodes", String.valueOf(maxEpisodes),
                    "--gate-confidence", String.valueOf(confidence), "--gate-margin", String.valueOf(margin),
                    "--drill-bad-challenger", String.valueOf(drillBadChallenger)));
        }
        return a;
    }
}
