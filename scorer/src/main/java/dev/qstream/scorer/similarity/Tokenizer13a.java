package dev.qstream.scorer.similarity;

import java.util.List;
import java.util.regex.Pattern;

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
 * <p>Stateless and thread-safe (compiled {@link Pattern}s are immutable).
 */
public final class Tokenizer13a {

    // Character ranges exactly as in the Python class: {-~  [-`  space-&  (-+  :-@  /
    private static final Pattern PUNCT = Pattern.compile("([\\x7B-\\x7E\\x5B-\\x60\\x20-\\x26\\x28-\\x2B\\x3A-\\x40\\x2F])");
    private static final Pattern PERIOD_COMMA_NOT_AFTER_DIGIT = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_NOT_BEFORE_DIGIT = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private Tokenizer13a() {
    }

    /** The tokenized line, tokens joined by single spaces (what sacreBLEU's {@code Tokenizer13a()(line)} returns). */
    public static String tokenize(String line) {
        String s = line.replace("<skipped>", "")
                .replace("-\n", "")
                .replace("\n", " ")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
        s = " " + s + " ";
        s = PUNCT.matcher(s).replaceAll(" $1 ");
        s = PERIOD_COMMA_NOT_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        s = PERIOD_COMMA_NOT_BEFORE_DIGIT.matcher(s).replaceAll(" $1 $2");
        s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        return String.join(" ", PyStr.split(s));
    }

    /** The tokens of {@link #tokenize(String)}. */
    public static List<String> tokens(String line) {
        return PyStr.split(tokenize(line));
    }
}
