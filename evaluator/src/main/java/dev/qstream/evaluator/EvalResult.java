package dev.qstream.evaluator;

/**
 * A held-out evaluation of one model version (greedy decoding, no exploration): mean ROUGE-L F (rouge-score
 * semantics, best over each prompt's references) with the 95% confidence half-width of that mean, mean ROUGE-1 F,
 * mean sentence BLEU, and corpus BLEU (sacreBLEU semantics, every reference of every prompt), all on 0..1 except BLEU
 * (0..100).
 */
public record EvalResult(long modelVersion, int prompts, double rougeL, double rougeLCi95, double rouge1, double bleu,
                         double corpusBleu, double meanTokens) {
}
