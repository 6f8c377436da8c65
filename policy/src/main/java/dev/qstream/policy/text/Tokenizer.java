package dev.qstream.policy.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokenizer shared by actor and learner: NFKC-normalise, lowercase, then words (letters with inner
 * apostrophes), numbers (with inner . or ,) and single punctuation marks. Deterministic and locale-independent, so
 * the same text always gives the same ids on every machine.
 */
public final class Tokenizer {

    private static final Pattern TOKEN = Pattern.compile(
            "\\p{L}[\\p{L}\\p{M}\\p{N}]*(?:['’]\\p{L}+)*|\\p{N}+(?:[.,]\\p{N}+)*|[^\\s\\p{L}\\p{N}]");
    private static final String NO_SPACE_BEFORE = ".,!?;:%)]}'’\"";
    private static final String NO_SPACE_AFTER = "([{$#";

    public List<String> tokenize(String text) {
        String normalized = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(normalized);
        while (m.find()) {
            tokens.add(m.group());
        }
        return tokens;
    }

    /** Joins tokens into readable text: no space before closing punctuation or after opening brackets. */
    public String detokenize(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        String previous = null;
        for (String token : tokens) {
            if (token.isEmpty()) {
                continue;
            }
            boolean glue = previous == null
                    || (token.length() == 1 && NO_SPACE_BEFORE.indexOf(token.charAt(0)) >= 0)
                    || (previous.length() == 1 && NO_SPACE_AFTER.indexOf(previous.charAt(0)) >= 0);
            if (!glue) {
                sb.append(' ');
            }
            sb.append(token);
            previous = token;
        }
        return sb.toString();
    }
}
