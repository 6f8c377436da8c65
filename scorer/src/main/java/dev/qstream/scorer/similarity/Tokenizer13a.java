package dev.qstream.scorer.similarity;

import java.util.List;

/**
 * sacreBLEU 2.x's default {@code "13a"} tokenizer ({@code sacrebleu/tokenizers/tokenizer_13a.py} followed by
 * {@code tokenizer_re.py}), itself a port of the {@code tokenization} routine of Moses' mteval-v13a.pl without
 * its lower-casing:
 * <ol>
 *   <li>remove every {@code <skipped>}; delete every {@code "-\n"} (hyphenated line break); every remaining
 *       {@code "\n"} becomes a space;</li>
 *   <li>unescape, in this order, {@code &quot;} {@code &amp;} {@code &lt;} {@code &gt;} (so {@code "&amp;lt;"}
 *       becomes {@code "<"});</li>
 *   <li>pad with one space on each side, then apply, each over the whole string, left to right and
 *       non-overlapping:
 *       <ul>
 *         <li>{@code ([\{-\~\[-\` -\&\(-\+\:-\@\/])} &rarr; {@code " \1 "} (ASCII punctuation and symbols except
 *             {@code ' , - .});</li>
 *         <li>{@code ([^0-9])([\.,])} &rarr; {@code "\1 \2 "} (period/comma not preceded by a digit);</li>
 *         <li>{@code ([\.,])([^0-9])} &rarr; {@code " \1 \2"} (period/comma not followed by a digit);</li>
 *         <li>{@code ([0-9])(-)} &rarr; {@code "\1 \2 "} (dash after a digit);</li>
 *       </ul></li>
 *   <li>{@code ' '.join(line.split())} with Python's whitespace definition.</li>
 * </ol>
 * Note {@code BLEU} calls it on {@code sent.rstrip()}; {@link #tokenize(String)} does not rstrip (same as calling
 * the sacreBLEU tokenizer object directly), {@link SacreBleu} does.
 *
 * <p>Each step is a hand-written loop that does what its regular expression does (one left-to-right scan,
 * non-overlapping matches, ASCII digit classes): the four {@code replaceAll}s took most of sentence BLEU's time in
 * the scorer. {@code Tokenizer13aTest} checks it against the regular expressions above on random text.
 *
 * <p>Stateless and thread-safe.
 */
public final class Tokenizer13a {

    private Tokenizer13a() {
    }

    /** The tokenized line, tokens joined by single spaces (what sacreBLEU's {@code Tokenizer13a()(line)} returns). */
    public static String tokenize(String line) {
        return String.join(" ", tokens(line));
    }

    /** The tokens of {@link #tokenize(String)}. */
    public static List<String> tokens(String line) {
        return PyStr.split(spaced(line));
    }

    /** The line after every rewriting step, before whitespace is normalised. */
    static String spaced(String line) {
        String s = line;
        if (s.indexOf('<') >= 0) {
            s = s.replace("<skipped>", "");
        }
        if (s.indexOf('\n') >= 0) {
            s = s.replace("-\n", "").replace("\n", " ");
        }
        if (s.indexOf('&') >= 0) {
            s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 ", on the line padded with a space on each side
        int n = s.length();
        StringBuilder a = new StringBuilder(n * 2 + 8);
        a.append("   "); // the leading pad is a space, which the class contains
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (isPunct(c)) {
                a.append(' ').append(c).append(' ');
            } else {
                a.append(c);
            }
        }
        a.append("   ");
        // The three rules left only rewrite around a period, a comma or a dash, which the first rule never adds:
        // text without them (most generated text, token by token) is done here.
        boolean periodOrComma = s.indexOf('.') >= 0 || s.indexOf(',') >= 0;
        if (!periodOrComma && s.indexOf('-') < 0) {
            return a.toString();
        }
        if (!periodOrComma) {
            return digitDash(a);
        }
        // ([^0-9])([\.,]) -> "\1 \2 "
        StringBuilder b = new StringBuilder(a.length() + 16);
        for (int i = 0, m = a.length(); i < m; ) {
            char c = a.charAt(i);
            if (i + 1 < m && !isDigit(c) && isPeriodOrComma(a.charAt(i + 1))) {
                b.append(c).append(' ').append(a.charAt(i + 1)).append(' ');
                i += 2;
            } else {
                b.append(c);
                i++;
            }
        }
        // ([\.,])([^0-9]) -> " \1 \2"
        StringBuilder c3 = new StringBuilder(b.length() + 16);
        for (int i = 0, m = b.length(); i < m; ) {
            char c = b.charAt(i);
            if (i + 1 < m && isPeriodOrComma(c) && !isDigit(b.charAt(i + 1))) {
                c3.append(' ').append(c).append(' ').append(b.charAt(i + 1));
                i += 2;
            } else {
                c3.append(c);
                i++;
            }
        }
        return s.indexOf('-') < 0 ? c3.toString() : digitDash(c3);
    }

    /** {@code ([0-9])(-) -> "\1 \2 "}. */
    private static String digitDash(CharSequence c3) {
        StringBuilder d = new StringBuilder(c3.length() + 8);
        for (int i = 0, m = c3.length(); i < m; ) {
            char c = c3.charAt(i);
            if (i + 1 < m && isDigit(c) && c3.charAt(i + 1) == '-') {
                d.append(c).append(" - ");
                i += 2;
            } else {
                d.append(c);
                i++;
            }
        }
        return d.toString();
    }

    /** The class {@code [\x7B-\x7E\x5B-\x60\x20-\x26\x28-\x2B\x3A-\x40\x2F]}: ASCII punctuation but ' , - . */
    private static boolean isPunct(char c) {
        return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26)
                || (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isPeriodOrComma(char c) {
        return c == '.' || c == ',';
    }
}
