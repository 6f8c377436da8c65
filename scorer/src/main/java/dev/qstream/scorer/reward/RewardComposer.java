package dev.qstream.scorer.reward;

import dev.qstream.schemas.avro.EpisodeScores;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.scorer.similarity.PrefixRouge;
import dev.qstream.scorer.similarity.RougeTokenizer;
import dev.qstream.scorer.similarity.SacreBleu;

import com.carrotsearch.hppc.ObjectIntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a finished episode (its step tokens), the prompt's references and the human feedback into rewards:
 * <pre>
 *   episode reward = metricWeight·metric + bleuWeight·BLEU/100 + humanWeight·human − lengthPenalty − repetitionPenalty
 * </pre>
 * A prompt without references is scored from feedback only: {@code reward = human − penalties} (the feedback is
 * the whole reward, so it carries weight 1; {@link RewardParts#getMetricName()} is {@value #FEEDBACK_ONLY}).
 * ROUGE values are rouge-score's exactly ({@link PrefixRouge} equals {@code RougeScorer.scoreMulti} bit for bit),
 * BLEU is sacreBLEU's {@code sentence_bleu}. Pure and thread-safe: the topology calls it, tests call it directly.
 */
public final class RewardComposer {

    /** The metric name of an episode scored from feedback only (its prompt has no reference). */
    public static final String FEEDBACK_ONLY = "none";

    private final RewardConfig config;

    public RewardComposer(RewardConfig config) {
        this.config = config;
    }

    public RewardConfig config() {
        return config;
    }

    /**
     * A prompt's references made ready once, so that the many episodes of one prompt only pay for their own side:
     * the ROUGE tokens of each reference, indexed for prefix ROUGE ({@code rouge} is null without references), and
     * sacreBLEU's reference statistics ({@code bleu} is null when every reference is empty: sacreBLEU would refuse
     * the segment, a reward scores BLEU 0 instead).
     */
    public record References(List<String> texts, List<List<String>> rougeTokens, PrefixRouge.Prepared rouge,
                             SacreBleu.References bleu) {
        public boolean isEmpty() {
            return texts.isEmpty();
        }
    }

    public References prepare(List<String> references) {
        List<List<String>> tokens = new ArrayList<>(references.size());
        boolean anyBleuReference = false;
        for (String r : references) {
            tokens.add(RougeTokenizer.tokenize(r, config.stemming()));
            anyBleuReference |= !r.isEmpty();
        }
        return new References(List.copyOf(references), List.copyOf(tokens),
                tokens.isEmpty() ? null : PrefixRouge.prepare(tokens), anyBleuReference ? SacreBleu.references(references) : null);
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
        return compose(stepTokens, prepare(references), human);
    }

    /** As {@link #compose(List, List, Double)}, with references made ready by {@link #prepare}. */
    public ComposedReward compose(List<String> stepTokens, References references, Double human) {
        int steps = stepTokens.size();
        if (steps == 0) {
            throw new IllegalArgumentException("an episode has at least one step");
        }
        List<String> words = new ArrayList<>();
        List<List<String>> pieces = new ArrayList<>(steps);
        for (String t : stepTokens) {
            if (!t.isEmpty()) {
                words.add(t);
            }
            // ROUGE tokenization is local, so the steps' tokens concatenate to the text's tokens.
            pieces.add(t.isEmpty() ? List.of() : RougeTokenizer.tokenize(t, config.stemming()));
        }
        boolean feedbackOnly = references.isEmpty();
        double[] prefix = new double[steps];
        double rougeL = 0;
        double rouge1 = 0;
        double rouge2 = 0;
        if (!feedbackOnly) {
            // The metric's score for every prefix (shaping needs them); the summary's three for the whole text only.
            PrefixRouge.Scores rouge = references.rouge().scores(switch (config.metric()) {
                case ROUGE_L -> PrefixRouge.Type.ROUGE_L;
                case ROUGE_1 -> PrefixRouge.Type.ROUGE_1;
                case ROUGE_2 -> PrefixRouge.Type.ROUGE_2;
            }, pieces);
            prefix = rouge.prefixF();
            rougeL = rouge.rougeL();
            rouge1 = rouge.rouge1();
            rouge2 = rouge.rouge2();
        }
        double metric = prefix[steps - 1];
        double bleu = references.bleu() == null ? 0 : SacreBleu.sentenceBleu(words, references.bleu()); // of the words joined by spaces
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
                .setRougeL(rougeL)
                .setRouge1(rouge1)
                .setRouge2(rouge2)
                .setBleu(bleu)
                .setHuman(defaulted ? null : human)
                .setReward(episodeReward)
                .build();
        return new ComposedReward(rewards, episodeReward, parts, scores);
    }

    /** Fraction of the text's word bigrams that already occurred earlier in it (0 for fewer than two words). */
    static double repeatedBigramFraction(List<String> words) {
        if (words.size() < 2) {
            return 0;
        }
        // Each bigram as a pair of word ids; the repeats are the bigrams less the distinct ones.
        int[] id = words.size() <= SCAN_LIMIT ? wordIdsByScan(words) : wordIdsByMap(words);
        long[] bigrams = new long[id.length - 1];
        for (int i = 0; i < bigrams.length; i++) {
            bigrams[i] = ((long) id[i] << 32) | id[i + 1];
        }
        Arrays.sort(bigrams);
        int distinct = 1;
        for (int i = 1; i < bigrams.length; i++) {
            if (bigrams[i] != bigrams[i - 1]) {
                distinct++;
            }
        }
        return (double) (bigrams.length - distinct) / bigrams.length;
    }

    /** Up to this many words, a scan of the distinct words so far (hash first) beats a hash map. */
    private static final int SCAN_LIMIT = 64;

    /** Each word's id: the index of its first occurrence among the distinct words. */
    private static int[] wordIdsByScan(List<String> words) {
        int[] id = new int[words.size()];
        String[] seen = new String[words.size()];
        int[] hashes = new int[words.size()];
        int count = 0;
        for (int i = 0; i < id.length; i++) {
            String w = words.get(i);
            int h = w.hashCode();
            int found = -1;
            for (int k = 0; k < count && found < 0; k++) {
                if (hashes[k] == h && seen[k].equals(w)) {
                    found = k;
                }
            }
            if (found < 0) {
                found = count;
                seen[count] = w;
                hashes[count++] = h;
            }
            id[i] = found;
        }
        return id;
    }

    private static int[] wordIdsByMap(List<String> words) {
        ObjectIntHashMap<String> ids = new ObjectIntHashMap<>(words.size());
        int[] id = new int[words.size()];
        for (int i = 0; i < id.length; i++) {
            id[i] = ids.getOrDefault(words.get(i), -1);
            if (id[i] < 0) {
                id[i] = ids.size();
                ids.put(words.get(i), id[i]);
            }
        }
        return id;
    }
}
