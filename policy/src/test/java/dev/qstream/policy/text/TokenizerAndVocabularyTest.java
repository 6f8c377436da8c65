package dev.qstream.policy.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizerAndVocabularyTest {

    private final Tokenizer tokenizer = new Tokenizer();

    @Test
    void splitsWordsNumbersAndPunctuationAndLowercases() {
        assertThat(tokenizer.tokenize("The Eagle's price is £20.50, isn't it?"))
                .containsExactly("the", "eagle's", "price", "is", "£", "20.50", ",", "isn't", "it", "?");
        assertThat(tokenizer.tokenize("Café ÉLAN — ５ stars")).containsExactly("café", "élan", "—", "5", "stars");
        assertThat(tokenizer.tokenize("   ")).isEmpty();
    }

    @Test
    void detokenizeGluesPunctuationToItsWord() {
        assertThat(tokenizer.detokenize(List.of("the", "eagle", "(", "cheap", ")", "serves", "food", ".")))
                .isEqualTo("the eagle (cheap) serves food.");
    }

    @Test
    void vocabularyIsOrderedByFrequencyThenLexicallyAndStartsWithSpecials() {
        Vocabulary v = Vocabulary.build(List.of("b a a", "c b a"), tokenizer, 100);
        assertThat(v.tokens()).containsExactly("<pad>", "<unk>", "<eos>", "a", "b", "c");
        assertThat(v.id("zzz")).isEqualTo(Vocabulary.UNK_ID);
        assertThat(Vocabulary.build(List.of("c b a", "b a a"), tokenizer, 100).fingerprint()).isEqualTo(v.fingerprint());
    }

    @Test
    void vocabularyCapKeepsTheMostFrequentWords() {
        Vocabulary v = Vocabulary.build(List.of("x x x y y z"), tokenizer, 2);
        assertThat(v.size()).isEqualTo(5);
        assertThat(v.contains("z")).isFalse();
        assertThatThrownBy(() -> Vocabulary.build(List.of("a"), tokenizer, 10_001)).hasMessageContaining("maxWords");
    }

    @Test
    void roundTripsThroughAFileAndRejectsForeignFiles(@TempDir Path dir) throws IOException {
        Vocabulary v = Vocabulary.build(List.of("hello world"), tokenizer, 10);
        Path file = dir.resolve("vocab.txt");
        v.write(file);
        Vocabulary back = Vocabulary.read(file);
        assertThat(back.tokens()).isEqualTo(v.tokens());
        assertThat(back.fingerprint()).isEqualTo(v.fingerprint());

        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "hello\nworld\n");
        assertThatThrownBy(() -> Vocabulary.read(bad)).hasMessageContaining("not a qstream vocabulary");
    }
}
