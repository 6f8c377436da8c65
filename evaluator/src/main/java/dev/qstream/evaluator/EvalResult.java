package dev.qstream.evaluator;

/**
 * A held-out evaluation of one model version: mean ROUGE-L F, ROUGE-1 F and sentence BLEU over the eval prompts
 * (greedy decoding, no exploration), with the 95% confidence half-width of the ROUGE-L mean.
 */
public record EvalResult(long modelVersion, int prompts, double rougeL, double rougeLCi95, double rouge1, double bleu,
                         double meanTokens) {
}
