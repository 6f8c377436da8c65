package dev.qstream.scorer.reward;

/**
 * How an episode's reward is composed:
 * {@code reward = metricWeight·metric + bleuWeight·BLEU/100 + humanWeight·human − lengthPenalty − repetitionPenalty}.
 *
 * @param metric                which ROUGE F-measure is the main term
 * @param stemming              apply the Porter stemmer in ROUGE (rouge-score's use_stemmer)
 * @param metricWeight          weight of the ROUGE term
 * @param bleuWeight            weight of sentence BLEU (0-100 scaled to 0-1)
 * @param humanWeight           weight of the aggregated human feedback in [-1, 1]
 * @param defaultHuman          human value used when no feedback arrives within the wait window
 * @param lengthFreeTokens      tokens allowed before the length penalty starts
 * @param lengthPenaltyPerToken penalty per token beyond {@code lengthFreeTokens}
 * @param repetitionPenalty     penalty weight × the fraction of repeated bigrams
 * @param shaping               TERMINAL: the whole reward on the last step; DELTA: each step gets the metric's
 *                              increase over the previous prefix (telescoping to the final metric), the other
 *                              terms go to the last step
 */
public record RewardConfig(Metric metric, boolean stemming, double metricWeight, double bleuWeight, double humanWeight,
                           double defaultHuman, int lengthFreeTokens, double lengthPenaltyPerToken,
                           double repetitionPenalty, Shaping shaping) {

    /** The main text metric. */
    public enum Metric {
        ROUGE_L("rougeL_f"), ROUGE_1("rouge1_f"), ROUGE_2("rouge2_f");

        private final String label;

        Metric(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** How the episode reward is spread over steps. */
    public enum Shaping { TERMINAL, DELTA }

    public RewardConfig {
        if (metric == null || shaping == null) {
            throw new IllegalArgumentException("metric and shaping are required");
        }
        for (double w : new double[]{metricWeight, bleuWeight, humanWeight, defaultHuman, lengthPenaltyPerToken, repetitionPenalty}) {
            if (!Double.isFinite(w)) {
                throw new IllegalArgumentException("reward weights must be finite: " + this);
            }
        }
        if (lengthFreeTokens < 0) {
            throw new IllegalArgumentException("lengthFreeTokens must be >= 0");
        }
    }

    public static RewardConfig defaults() {
        return new RewardConfig(Metric.ROUGE_L, false, 1.0, 0.0, 0.0, 0.0, 64, 0.0, 0.0, Shaping.DELTA);
    }
}
