package dev.qstream.scorer.similarity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The default tokenizer of Google's {@code rouge-score} 0.1.2 ({@code rouge_score/tokenize.py}, used through
 * {@code tokenizers.DefaultTokenizer}):
 * <ol>
 *   <li>{@code text.lower()} (Python, full Unicode lower-casing);</li>
 *   <li>every run of characters outside {@code [a-z0-9]} becomes one space - so after lower-casing, every
 *       non-ASCII letter (é, ü, ß, CJK, Cyrillic, ...) and every punctuation mark is a separator;</li>
 *   <li>split on whitespace;</li>
 *   <li>with stemming, NLTK's Porter stemmer is applied to tokens longer than 3 characters only;</li>
 *   <li>tokens not matching {@code ^[a-z0-9]+$} (in practice only the empty strings produced by leading or
 *       trailing separators) are dropped.</li>
 * </ol>
 *
 * <p>Python's {@code str.lower()} maps exactly two non-ASCII code points into {@code [a-z0-9]}: U+212A KELVIN SIGN
 * to {@code k}, and U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE to {@code i} + U+0307 (which is then a
 * separator). Both are reproduced here; every other non-ASCII code point is a separator (verified against
 * CPython 3.11 / Unicode 14 over all code points).
 *
 * <p>Stateless and thread-safe.
 */
public final class RougeTokenizer {

    private static final char KELVIN_SIGN = '\u212A';

    /**
     * Per-thread memo of stems (the stemmer is a pure function, so this cannot change results). Bounded: cleared
     * when it reaches {@link #STEM_CACHE_MAX} entries. Thread-confined, so no shared mutable state.
     */
    private static final ThreadLocal<HashMap<String, String>> STEM_CACHE = ThreadLocal.withInitial(HashMap::new);
    private static final int STEM_CACHE_MAX = 8192;
    private static final char CAPITAL_I_WITH_DOT = '\u0130';

    private RougeTokenizer() {
    }

    /** Tokenizes like {@code DefaultTokenizer(use_stemmer=stem).tokenize(text)}. */
    public static List<String> tokenize(String text, boolean stem) {
        List<String> out = new ArrayList<>();
        int n = text.length();
        StringBuilder cur = new StringBuilder(16);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            char mapped = map(c);
            if (mapped != 0) {
                cur.append(mapped);
                if (c == CAPITAL_I_WITH_DOT) {
                    // lower() gives "i\u0307"; the combining dot is a separator.
                    flush(cur, out, stem);
                }
            } else {
                flush(cur, out, stem);
            }
        }
        flush(cur, out, stem);
        return out;
    }

    /**
     * Maps one UTF-16 unit to its token character, or 0 when it is a separator. Surrogates are separators
     * (no supplementary code point lower-cases into ASCII).
     */
    static char map(char c) {
        if (c >= 'a' && c <= 'z') {
            return c;
        }
        if (c >= '0' && c <= '9') {
            return c;
        }
        if (c >= 'A' && c <= 'Z') {
            return (char) (c + ('a' - 'A'));
        }
        if (c == KELVIN_SIGN) {
            return 'k';
        }
        if (c == CAPITAL_I_WITH_DOT) {
            return 'i';
        }
        return 0;
    }

    private static void flush(StringBuilder cur, List<String> out, boolean stem) {
        if (cur.length() == 0) {
            return;
        }
        String tok = cur.toString();
        cur.setLength(0);
        if (stem && tok.length() > 3) {
            tok = stemCached(tok);
        }
        if (!tok.isEmpty()) {
            out.add(tok);
        }
    }

    private static String stemCached(String token) {
        HashMap<String, String> cache = STEM_CACHE.get();
        String s = cache.get(token);
        if (s == null) {
            s = PorterStemmer.INSTANCE.stem(token);
            if (cache.size() >= STEM_CACHE_MAX) {
                cache.clear();
            }
            cache.put(token, s);
        }
        return s;
    }

    /**
     * Splits {@code text} into the sentences {@code rougeLsum} uses: Python's {@code text.split("\n")} (only
     * U+000A separates; a {@code \r} stays in its line), keeping only non-empty strings. A line made only of
     * separators is kept here and later tokenizes to an empty list, exactly as in rouge-score.
     */
    public static List<String> splitLines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || text.charAt(i) == '\n') {
                if (i > start) {
                    out.add(text.substring(start, i));
                }
                start = i + 1;
            }
        }
        return out;
    }
}
