package dev.qstream.tasks.simulator;

import dev.qstream.tasks.TaskPrompt;
import dev.qstream.scorer.similarity.RougeScorer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The simulated rater's taste, without its noise: a text close to a reference is good (ROUGE-L F), repeated word
 * bigrams and rambling past the reference's length are bad. Deliberately not the scorer's reward: a person's
 * preference only correlates with the metric, and the repetition and length dislikes are what feedback adds.
 */
final class RaterPreference {

    /** Words a text may have when the prompt has no reference to take a length from. */
    static final int DEFAULT_TARGET_WORDS = 12;

    private RaterPreference() {
    }

    /**
     * @param prompt the prompt the text answers; null when unknown (closeness is then neutral, 0.5)
     * @return the opinion, clamped to [-1, 1]
     */
    static double opinion(TaskPrompt prompt, String text, RougeScorer rouge) {
        List<String> words = text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
        boolean hasReference = prompt != null && !prompt.references().isEmpty();
        double closeness = hasReference ? rouge.scoreMulti(prompt.references(), text).rougeL().f() : 0.5;
        int target = hasReference ? prompt.references().get(0).trim().split("\\s+").length : DEFAULT_TARGET_WORDS;
        double rambling = Math.max(0, words.size() - target) / (double) Math.max(1, target);
        double opinion = 2 * closeness - 1
                - 0.5 * repeatedBigrams(words) / Math.max(1, words.size())
                - 0.5 * Math.min(1, rambling);
        return Math.max(-1, Math.min(1, opinion));
    }

    private static int repeatedBigrams(List<String> words) {
        Set<String> seen = new HashSet<>();
        int repeats = 0;
        for (int i = 0; i + 1 < words.size(); i++) {
            if (!seen.add(words.get(i) + ' ' + words.get(i + 1))) {
                repeats++;
            }
        }
        return repeats;
    }
}
