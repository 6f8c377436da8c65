package dev.qstream.scorer.reward;

import dev.qstream.schemas.avro.EpisodeScores;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.scorer.metrics.PrefixRouge;
import dev.qstream.scorer.metrics.RougeScorer;
import dev.qstream.scorer.metrics.RougeScores;
import dev.qstream.scorer.metrics.RougeTokenizer;
import dev.qstream.scorer.metrics.SacreBleu;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a finished episode (its step tokens), the prompt's references and the human feedback into rewards:
 * <pre>
 *   episode reward = metricWeight·metric + bleuWeight·BLEU/100 + humanWeight·human − lengthPenalty − repetitionPenalty
 * </pre>
 * A prompt without references is scored from feedback only: {@code reward = human − penalties} (the feedback is
 * the whole reward, so it carries weight 1; {@link RewardParts#getMetricName()} is {@value #FEEDBACK_ONLY}).
 * Pure and thread-safe: the topology calls it, tests call it directly.
 */
public final class RewardComposer {

    /** The metric name of an episode scored from feedback only (its prompt has no reference). */
    public static final String FEEDBACK_ONLY = "none";

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
     * The weight of the human term in an episode scored with these parts: what a late correction multiplies the
     * change of the human value by.
     */
    public double humanWeight(RewardParts parts) {
        return FEEDBACK_ONLY.equals(parts.getMetricName()) ? 1.0 : config.humanWeight();
    }

    /** The human value an episode was scored with: its aggregated feedback, or the default when none was joined. */
    public double appliedHuman(RewardParts parts) {
        return parts.getHuman() != null ? parts.getHuman() : config.defaultHuman();
    }

    /**
     * @param stepTokens surface form of each step's action ("" for end-of-sequence); at least one step
     * @param references the prompt's references; empty = score from feedback only
     * @param human      aggregated feedback in [-1, 1], or null when none arrived (the default is used)
     */
    public ComposedReward compose(List<String> stepTokens, List<String> references, Double human) {
        int steps = stepTokens.size();
        if (steps == 0) {
            throw new IllegalArgumentException("an episode has at least one step");
        }
        List<String> words = new ArrayList<>();
        for (String t : stepTokens) {
            if (!t.isEmpty()) {
                words.add(t);
            }
        }
        String text = String.join(" ", words);
        boolean feedbackOnly = references.isEmpty();
        RougeScores full = feedbackOnly ? null : rouge.scoreMulti(references, text);
        double metric = full == null ? 0 : metricOf(full);
        double bleu = feedbackOnly ? 0 : bleu(text, references);
        boolean defaulted = human == null;
        double humanValue = defaulted ? config.defaultHuman() : human;
        double humanWeight = feedbackOnly ? 1.0 : config.humanWeight();
        double lengthPenalty = config.lengthPenaltyPerToken() * Math.max(0, words.size() - config.lengthFreeTokens());
        double repetitionPenalty = config.repetitionPenalty() * repeatedBigramFraction(words);
        // Everything but the metric belongs to the finished text as a whole, so it goes to the last step.
        double extras = config.bleuWeight() * bleu / 100.0 + humanWeight * humanValue - lengthPenalty - repetitionPenalty;
        double episodeReward = config.metricWeight() * metric + extras;

        double[] rewards = new double[steps];
        boolean delta = config.shaping() == RewardConfig.Shaping.DELTA && !feedbackOnly;
        if (delta) {
            // r_t = w·(m(prefix ≤ t) − m(prefix < t)): telescopes to w·m(full text); a step that adds no ROUGE token
            // (punctuation, end-of-sequence) gets 0.
            double[] prefix = prefixMetric(stepTokens, references);
            double previous = 0;
            for (int t = 0; t < steps; t++) {
                rewards[t] = config.metricWeight() * (prefix[t] - previous);
                previous = prefix[t];
            }
            rewards[steps - 1] += extras;
        } else {
            rewards[steps - 1] = episodeReward;
        }
        RewardParts parts = RewardParts.newBuilder()
                .setMetricName(feedbackOnly ? FEEDBACK_ONLY : config.metric().label())
                .setMetric(metric)
                .setBleu(bleu)
                .setHuman(defaulted ? null : human)
                .setHumanDefaulted(defaulted && humanWeight != 0)
                .setLengthPenalty(lengthPenalty)
                .setRepetitionPenalty(repetitionPenalty)
                .setShaping(delta ? "delta" : "terminal")
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

    /** The configured metric of every prefix, exactly as scoring each prefix's text would give it. */
    private double[] prefixMetric(List<String> stepTokens, List<String> references) {
        List<List<String>> refs = new ArrayList<>(references.size());
        for (String r : references) {
            refs.add(RougeTokenizer.tokenize(r, config.stemming()));
        }
        List<List<String>> pieces = new ArrayList<>(stepTokens.size());
        for (String t : stepTokens) {
            pieces.add(t.isEmpty() ? List.of() : RougeTokenizer.tokenize(t, config.stemming()));
        }
        PrefixRouge.Type type = switch (config.metric()) {
            case ROUGE_L -> PrefixRouge.Type.ROUGE_L;
            case ROUGE_1 -> PrefixRouge.Type.ROUGE_1;
            case ROUGE_2 -> PrefixRouge.Type.ROUGE_2;
        };
        return PrefixRouge.prefixF(type, refs, pieces);
    }

    /** sacreBLEU ignores empty references and refuses a segment left with none; a reward cannot refuse, so 0. */
    private static double bleu(String text, List<String> references) {
        List<String> usable = new ArrayList<>(references.size());
        for (String r : references) {
            if (r != null && !r.isEmpty()) {
                usable.add(r);
            }
        }
        return usable.isEmpty() ? 0 : SacreBleu.sentenceBleu(text, usable);
    }

    private double metricOf(RougeScores s) {
        return switch (config.metric()) {
            case ROUGE_L -> s.rougeL().f();
            case ROUGE_1 -> s.rouge1().f();
            case ROUGE_2 -> s.rouge2().f();
        };
    }

    /** Fraction of the text's word bigrams that already occurred earlier in it (0 for fewer than two words). */
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
