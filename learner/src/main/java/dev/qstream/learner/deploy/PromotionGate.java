package dev.qstream.learner.deploy;

import dev.qstream.schemas.avro.DeploymentEvidence;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The gate's rule, pure: compares the challenger's mean episode reward with the champion's over the same trial
 * window, with a normal-approximation confidence interval on the difference d = μ_challenger − μ_champion
 * (Welch's standard error, as the arms have different sizes and variances):
 * {@code se = sqrt(s²_x / n_x + s²_c / n_c)}, {@code [lo, hi] = d ∓ z·se}. ROLL_BACK when {@code hi < 0} (confidently worse), PROMOTE when {@code lo >= −margin} (confidently not
 * worse by more than the margin: a non-inferiority test, so an equally good challenger is promoted and learning
 * goes on), otherwise wait for more episodes; at {@code maxEpisodes} challenger episodes the point estimate decides
 * ({@code d >= −margin} promotes). Nothing is decided before both arms have {@code minEpisodes}.
 */
public final class PromotionGate {

    public enum Outcome { WAIT, PROMOTE, ROLL_BACK }

    public record Verdict(Outcome outcome, DeploymentEvidence evidence, String reason) {
    }

    private final GateConfig config;
    private final double z;

    public PromotionGate(GateConfig config) {
        this.config = config;
        this.z = new NormalDistribution().inverseCumulativeProbability(1 - (1 - config.confidence()) / 2);
    }

    public Verdict evaluate(ArmStats champion, ArmStats challenger) {
        DeploymentEvidence evidence = evidence(champion, challenger);
        if (champion.count() < config.minEpisodes() || challenger.count() < config.minEpisodes()) {
            return new Verdict(Outcome.WAIT, evidence, "waiting for " + config.minEpisodes() + " episodes on each side");
        }
        double d = evidence.getDifference();
        String interval = String.format("difference %+.4f, %.0f%% interval [%+.4f, %+.4f], margin %.4f, %d vs %d episodes",
                d, config.confidence() * 100, evidence.getLowerBound(), evidence.getUpperBound(), config.margin(),
                challenger.count(), champion.count());
        if (evidence.getUpperBound() < 0) {
            return new Verdict(Outcome.ROLL_BACK, evidence, "challenger is worse than the champion: " + interval);
        }
        if (evidence.getLowerBound() >= -config.margin()) {
            return new Verdict(Outcome.PROMOTE, evidence, "challenger is not worse than the champion: " + interval);
        }
        if (challenger.count() >= config.maxEpisodes()) {
            return d >= -config.margin()
                    ? new Verdict(Outcome.PROMOTE, evidence, "undecided at the episode cap, point estimate within the margin: " + interval)
                    : new Verdict(Outcome.ROLL_BACK, evidence, "undecided at the episode cap, point estimate below the margin: " + interval);
        }
        return new Verdict(Outcome.WAIT, evidence, "undecided: " + interval);
    }

    private DeploymentEvidence evidence(ArmStats champion, ArmStats challenger) {
        double d = challenger.mean() - champion.mean();
        double se = Math.sqrt(challenger.variance() / Math.max(1, challenger.count())
                + champion.variance() / Math.max(1, champion.count()));
        return DeploymentEvidence.newBuilder()
                .setChampionEpisodes(champion.count()).setChampionMeanReward(nanToZero(champion.mean()))
                .setChampionStdReward(champion.std())
                .setChallengerEpisodes(challenger.count()).setChallengerMeanReward(nanToZero(challenger.mean()))
                .setChallengerStdReward(challenger.std())
                .setDifference(nanToZero(d)).setLowerBound(nanToZero(d - z * se)).setUpperBound(nanToZero(d + z * se))
                .setConfidence(config.confidence()).setMargin(config.margin())
                .build();
    }

    private static double nanToZero(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
