package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected outputs follow tokenizer_13a.py + tokenizer_re.py step by step (see Tokenizer13a's javadoc). */
class Tokenizer13aTest {

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\u0000', textBlock = """
            # punctuation in the class {-~ [-` space-& (-+ :-@ / is split off
            Hello, world!                 | Hello , world !
            $5 (a) a/b 50% C++ x@y.com    | $ 5 ( a ) a / b 50 % C + + x @ y . com
            {[]}~^_`\\                    | { [ ] } ~ ^ _ ` \\
            He said: "yes"; ok?           | He said : " yes " ; ok ?
            # a period/comma between two digits stays; otherwise it is split
            It costs 3.5 dollars.         | It costs 3.5 dollars .
            end.                          | end .
            1,000 people                  | 1,000 people
            3.14.15                       | 3.14.15
            a,b                           | a , b
            x.5                           | x . 5
            5.x                           | 5 . x
            U.S.A.                        | U . S . A .
            Mr.Smith                      | Mr . Smith
            a.,b                          | a . , b
            # a dash is split only after a digit; apostrophes and inner hyphens stay
            1990-2000                     | 1990 - 2000
            e-mail -5                     | e-mail -5
            don't                         | don't
            # entities (in this order: &quot; &amp; &lt; &gt;) and <skipped>
            &quot;quoted&quot;            | " quoted "
            AT&amp;T                      | AT & T
            &amp;lt;                      | <
            &lt;b&gt;                     | < b >
            <skipped>foo                  | foo
            """)
    void tokenizes(String in, String expected) {
        assertThat(Tokenizer13a.tokenize(in.strip())).isEqualTo(expected.strip());
    }

    @Test
    void pipeAndTildeAreSplit() {
        assertThat(Tokenizer13a.tokenize("a|b~c")).isEqualTo("a | b ~ c");
    }

    @Test
    void newlinesAndWhitespace() {
        // "-\n" joins a hyphenated line break, other "\n" become spaces
        assertThat(Tokenizer13a.tokenize("co-\noperate")).isEqualTo("cooperate");
        assertThat(Tokenizer13a.tokenize("line1\nline2")).isEqualTo("line1 line2");
        assertThat(Tokenizer13a.tokenize("  a\tb  ")).isEqualTo("a b");
        // Python's str.split() also splits on NO-BREAK SPACE, U+2028, U+0085, U+3000 and U+001C..U+001F
        assertThat(Tokenizer13a.tokenize("a\u00A0b\u2028c\u0085d\u3000e\u001Ff")).isEqualTo("a b c d e f");
        // ... but not on U+200B ZERO WIDTH SPACE (not whitespace for Python)
        assertThat(Tokenizer13a.tokens("a\u200Bb")).containsExactly("a\u200Bb");
        assertThat(Tokenizer13a.tokenize("")).isEmpty();
        assertThat(Tokenizer13a.tokens("   ")).isEmpty();
    }

    @Test
    void nonAsciiIsLeftAlone() {
        // the 13a rules only touch ASCII punctuation; accents, CJK and emoji are ordinary characters
        assertThat(Tokenizer13a.tokenize("Café «très» 東京。😀.")).isEqualTo("Café «très» 東京。😀 .");
    }

    @Test
    void theHandWrittenStepsDoWhatTheRegularExpressionsDoOnRandomText() {
        // Heavy on what the rules look at: digits next to periods, commas and dashes, punctuation, entities, breaks.
        String[] pieces = {"a", "Z", "é", "東", "😀", "0", "7", "42", ".", ",", "-", "'", " ", "  ", "\t", "\n", "-\n",
                "\u00A0", "\u2028", "&", "&amp;", "&quot;", "&lt;", "&gt;", "&amp;lt;", "<skipped>", "<", ">", "(", ")",
                "$", "%", "/", "\\", "|", "~", "`", "^", "_", "{", "}", "[", "]", ":", ";", "?", "!", "@", "#", "+",
                "=", "*", "\"", "U.S.", "3.5", "1,000", "e-mail", "1990-2000", "..", ",,", ".,", "x.5", "5.x"};
        Random rnd = new Random(13);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder line = new StringBuilder();
            for (int k = rnd.nextInt(24); k > 0; k--) {
                line.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String in = line.toString();
            assertThat(Tokenizer13a.tokenize(in)).as("tokenize(%s)", in).isEqualTo(RegexTokenizer13a.tokenize(in));
        }
    }

    /** The tokenizer as it was written first, one regular expression per rule: the reference for the loops. */
    private static final class RegexTokenizer13a {
        private static final Pattern PUNCT = Pattern.compile("([\\x7B-\\x7E\\x5B-\\x60\\x20-\\x26\\x28-\\x2B\\x3A-\\x40\\x2F])");
        private static final Pattern PERIOD_COMMA_NOT_AFTER_DIGIT = Pattern.compile("([^0-9])([.,])");
        private static final Pattern PERIOD_COMMA_NOT_BEFORE_DIGIT = Pattern.compile("([.,])([^0-9])");
        private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

        static String tokenize(String line) {
            String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ").replace("&quot;", "\"")
                    .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
            s = " " + s + " ";
            s = PUNCT.matcher(s).replaceAll(" $1 ");
            s = PERIOD_COMMA_NOT_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
            s = PERIOD_COMMA_NOT_BEFORE_DIGIT.matcher(s).replaceAll(" $1 $2");
            s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
            return String.join(" ", PyStr.split(s));
        }
    }
}
