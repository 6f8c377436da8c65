package dev.qstream.evaluator;

import java.util.List;

/** One held-out generation with its scores, as {@code qstream eval --out} writes it: what the policy says. */
public record ScoredGeneration(String id, String prompt, String text, List<String> references, double rougeL,
                               double bleu) {
}
