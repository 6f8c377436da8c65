package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected tokens follow rouge_score/tokenize.py: lower(), [^a-z0-9]+ -> ' ', split, stem if len > 3. */
class RougeTokenizerTest {

    @Test
    void upstreamExamples() {
        // rouge_score/tokenize_test.py
        assertThat(RougeTokenizer.tokenize("one Two three", false)).containsExactly("one", "two", "three");
        assertThat(RougeTokenizer.tokenize("one\n Two \nthree", false)).containsExactly("one", "two", "three");
    }

    @Test
    void punctuationIsASeparatorAndNeverAToken() {
        assertThat(RougeTokenizer.tokenize("Hello, World!", false)).containsExactly("hello", "world");
        assertThat(RougeTokenizer.tokenize("don't e-mail 3.5", false))
                .containsExactly("don", "t", "e", "mail", "3", "5");
        assertThat(RougeTokenizer.tokenize("!!! ... ---", false)).isEmpty();
        assertThat(RougeTokenizer.tokenize("", false)).isEmpty();
        assertThat(RougeTokenizer.tokenize("   \t\n ", true)).isEmpty();
    }

    @Test
    void nonAsciiLettersAreSeparators() {
        // é, ü, ï, û are not in [a-z0-9] after lower(): they split words
        assertThat(RougeTokenizer.tokenize("café über naïve", false))
                .containsExactly("caf", "ber", "na", "ve");
        assertThat(RougeTokenizer.tokenize("Müller", false)).containsExactly("m", "ller");
        assertThat(RougeTokenizer.tokenize("ÉCOLE", false)).containsExactly("cole");
    }

    @Test
    void cjkAndEmojiVanish() {
        assertThat(RougeTokenizer.tokenize("我爱北京天安门", false)).isEmpty();
        assertThat(RougeTokenizer.tokenize("東京2020年 😀 ok", false)).containsExactly("2020", "ok");
    }

    @Test
    void theTwoNonAsciiCodePointsThatLowerCaseIntoAscii() {
        // str.lower(): U+212A KELVIN SIGN -> 'k'; U+0130 -> 'i' + U+0307 (combining dot = separator)
        assertThat(RougeTokenizer.tokenize("\u212Aelvin", false)).containsExactly("kelvin");
        assertThat(RougeTokenizer.tokenize("\u0130stanbul", false)).containsExactly("i", "stanbul");
        assertThat(RougeTokenizer.tokenize("A\u0130\u0130B", false)).containsExactly("ai", "i", "b");
    }

    @Test
    void stemmingOnlyTouchesTokensLongerThanThree() {
        assertThat(RougeTokenizer.tokenize("running dogs", true)).containsExactly("run", "dog");
        // 'was' (3 letters) is kept although the stemmer would give 'wa'; 'this' (4) becomes 'thi'
        assertThat(RougeTokenizer.tokenize("was this", true)).containsExactly("was", "thi");
        // 'ties' has 4 letters: NLTK gives 'tie'; 'Sky' -> 'sky' has 3 letters: not stemmed; 'skies' hits the pool
        assertThat(RougeTokenizer.tokenize("Ties Sky skies", true)).containsExactly("tie", "sky", "sky");
        assertThat(RougeTokenizer.tokenize("running dogs", false)).containsExactly("running", "dogs");
    }

    @Test
    void linesForRougeLsumSplitOnNewlineOnly() {
        assertThat(RougeTokenizer.splitLines("a b\n\n\nc\r\nd")).containsExactly("a b", "c\r", "d");
        assertThat(RougeTokenizer.splitLines("")).isEmpty();
        assertThat(RougeTokenizer.splitLines("\n\n")).isEmpty();
        // a punctuation-only line is a (non-empty) line; it just has no tokens
        assertThat(RougeTokenizer.splitLines("x\n!!!\n")).containsExactly("x", "!!!");
    }
}
