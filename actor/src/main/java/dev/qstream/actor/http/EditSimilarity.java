package dev.qstream.actor.http;

import dev.qstream.policy.text.Tokenizer;

import java.util.List;

/** How close a user's edit is to the generated text: the F1 of their longest common token subsequence. */
final class EditSimilarity {

    private static final Tokenizer TOKENIZER = new Tokenizer();

    private EditSimilarity() {
    }

    static double of(String generated, String edited) {
        List<String> a = TOKENIZER.tokenize(generated);
        List<String> b = TOKENIZER.tokenize(edited);
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        if (a.isEmpty() || b.isEmpty()) {
            return 0.0;
        }
        int[] row = new int[b.size() + 1];
        for (String x : a) {
            int diagonal = 0;
            for (int j = 1; j <= b.size(); j++) {
                int above = row[j];
                row[j] = x.equals(b.get(j - 1)) ? diagonal + 1 : Math.max(row[j], row[j - 1]);
                diagonal = above;
            }
        }
        double lcs = row[b.size()];
        double p = lcs / a.size();
        double r = lcs / b.size();
        return lcs == 0 ? 0.0 : 2 * p * r / (p + r);
    }
}
