package dev.qstream.scorer.similarity;

/**
 * The four ROUGE variants rouge-score computes with {@code RougeScorer(["rouge1", "rouge2", "rougeL",
 * "rougeLsum"])}.
 */
public record RougeScores(PrecisionRecallF rouge1, PrecisionRecallF rouge2, PrecisionRecallF rougeL,
                          PrecisionRecallF rougeLsum) {
}
