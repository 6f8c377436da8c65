package dev.qstream.actor.generation;

import dev.qstream.policy.text.Tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which of a prompt's references a demonstration says. {@link #RANDOM}: any of them, uniformly. {@link #CENTRAL}:
 * the one whose words overlap most with the others' (highest mean unigram F1), so every demonstration of a prompt says
 * the same, most typical text: people describe one input in many ways, and teaching all of them at once asks the
 * policy to follow conflicting orders at the same state. Nothing here knows a task: it compares token counts.
 */
public enum ReferenceChoice {
    RANDOM,
    CENTRAL;

    /** The reference to demonstrate; {@code references} must not be empty. */
    public String pick(List<String> references, Tokenizer tokenizer, SplittableRandom random) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("no reference to demonstrate");
        }
        if (this == RANDOM || references.size() < 3) {
            return references.get(random.nextInt(references.size()));
        }
        List<Map<String, Integer>> bags = references.stream().map(r -> bag(tokenizer.tokenize(r))).toList();
        int best = 0;
        double bestScore = -1;
        for (int i = 0; i < bags.size(); i++) {
            double sum = 0;
            for (int j = 0; j < bags.size(); j++) {
                if (i != j) {
                    sum += f1(bags.get(i), bags.get(j));
                }
            }
            if (sum > bestScore) {
                bestScore = sum;
                best = i;
            }
        }
        return references.get(best);
    }

    private static Map<String, Integer> bag(List<String> tokens) {
        Map<String, Integer> bag = new HashMap<>();
        tokens.forEach(t -> bag.merge(t, 1, Integer::sum));
        return bag;
    }

    private static double f1(Map<String, Integer> a, Map<String, Integer> b) {
        int na = a.values().stream().mapToInt(Integer::intValue).sum();
        int nb = b.values().stream().mapToInt(Integer::intValue).sum();
        if (na == 0 || nb == 0) {
            return 0;
        }
        int common = 0;
        for (Map.Entry<String, Integer> e : a.entrySet()) {
            common += Math.min(e.getValue(), b.getOrDefault(e.getKey(), 0));
        }
        return 2.0 * common / (na + nb);
    }
}
