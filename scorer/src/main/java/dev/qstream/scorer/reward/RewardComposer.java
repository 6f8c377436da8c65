package dev.qstream.scorer.reward;

import dev.qstream.schemas.avro.EpisodeScores;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.scorer.metrics.RougeScorer;
import dev.qstream.scorer.metrics.RougeScores;
import dev.qstream.scorer.metrics.SacreBleu;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a finished episode (its step tokens), the prompt's references and the human feedback into rewards. Pure and
 * thread-safe: the topology calls it, tests call it directly.
 */
public final class RewardComposer {

    private final RewardConfig config;
    private final RougeScorer rouge;

    public RewardComposer(RewardConfig config) {
        this.config = config;
        this.rouge = new RougeScorer(config.stemming());
    }

    public RewardConfig config() {
        return config;
    }

    /**
     * @param stepTokens surface form of each step's action ("" for end-of-sequence)
     * @param references the prompt's references (may be empty: then metric and BLEU are 0)
     * @param human      aggregated feedback in [-1, 1], or null when none arrived
     */
    public ComposedReward compose(List<String> stepTokens, List<String> references, Double human) {
        int steps = stepTokens.size();
        List<String> words = new ArrayList<>();
        for (String t : stepTokens) {
            if (!t.isEmpty()) {
                words.add(t);
            }
        }
        String text = String.join(" ", words);
        RougeScores full = references.isEmpty() ? null : rouge.scoreMulti(references, text);
        double metric = full == null ? 0 : metricOf(full);
        double bleu = references.isEmpty() ? 0 : SacreBleu.sentenceBleu(text, references);
        boolean defaulted = human == null;
        double humanValue = defaulted ? config.defaultHuman() : human;
        double lengthPenalty = config.lengthPenaltyPerToken() * Math.max(0, words.size() - config.lengthFreeTokens());
        double repetitionPenalty = config.repetitionPenalty() * repeatedBigramFraction(words);
        double extras = config.bleuWeight() * bleu / 100.0 + config.humanWeight() * humanValue - lengthPenalty - repetitionPenalty;
        double episodeReward = config.metricWeight() * metric + extras;

        double[] rewards = new double[steps];
        if (config.shaping() == RewardConfig.Shaping.DELTA && full != null) {
            // r_t = w·(m(prefix ≤ t) − m(prefix < t)): telescopes to w·m(full text).
            double previous = 0;
            List<String> prefix = new ArrayList<>();
            for (int t = 0; t < steps; t++) {
                if (!stepTokens.get(t).isEmpty()) {
                    prefix.add(stepTokens.get(t));
                }
                double m = t == steps - 1 ? metric : metricOf(rouge.scoreMulti(references, String.join(" ", prefix)));
                rewards[t] = config.metricWeight() * (m - previous);
                previous = m;
            }
            rewards[steps - 1] += extras;
        } else if (steps > 0) {
            rewards[steps - 1] = episodeReward;
        }
        RewardParts parts = RewardParts.newBuilder()
                .setMetricName(config.metric().label())
                .setMetric(metric)
                .setBleu(bleu)
                .setHuman(defaulted ? null : human)
                .setHumanDefaulted(defaulted && config.humanWeight() != 0)
                .setLengthPenalty(lengthPenalty)
                .setRepetitionPenalty(repetitionPenalty)
                .setShaping(config.shaping() == RewardConfig.Shaping.DELTA && full != null ? "delta" : "terminal")
                .build();
        EpisodeScores scores = EpisodeScores.newBuilder()
                .setRougeL(full == null ? 0 : full.rougeL().f())
                .setRouge1(full == null ? 0 : full.rouge1().f())
                .setRouge2(full == null ? 0 : full.rouge2().f())
                .setBleu(bleu)
                .setHuman(defaulted ? null : human)
                .setReward(episodeReward)
                .build();
        return new ComposedReward(rewards, episodeReward, parts, scores);
    }

    private double metricOf(RougeScores s) {
        return switch (config.metric()) {
            case ROUGE_L -> s.rougeL().f();
            case ROUGE_1 -> s.rouge1().f();
            case ROUGE_2 -> s.rouge2().f();
        };
    }

    static double repeatedBigramFraction(List<String> words) {
        if (words.size() < 2) {
            return 0;
        }
        Set<String> seen = new HashSet<>();
        int repeated = 0;
        for (int i = 0; i + 1 < words.size(); i++) {
            if (!seen.add(words.get(i) + '\u0000' + words.get(i + 1))) {
                repeated++;
            }
        }
        return (double) repeated / (words.size() - 1);
    }
}
