package dev.qstream.policy.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptCopiesTest {

    private final Tokenizer tokenizer = new Tokenizer();
    private final Vocabulary vocabulary = Vocabulary.build(List.of("name[Alimentum], area[riverside] is a place"),
            tokenizer, 100, 64);

    private PromptCopies copies(String prompt) {
        return PromptCopies.of(tokenizer.tokenize(prompt), vocabulary, 256);
    }

    @Test
    void copyActionsComeLastAndAreNeverWords() {
        assertThat(vocabulary.copySlots()).isEqualTo(64);
        int first = vocabulary.copyAction(0);
        assertThat(first).isEqualTo(vocabulary.size() - 64);
        assertThat(vocabulary.isCopy(first)).isTrue();
        assertThat(vocabulary.isCopy(first - 1)).isFalse();
        assertThat(vocabulary.copySlot(vocabulary.size() - 1)).isEqualTo(63);
        assertThat(vocabulary.id("<copy:3>")).as("a text cannot name a copy action").isEqualTo(Vocabulary.UNK_ID);
        assertThat(vocabulary.contains("<copy:3>")).isFalse();
        assertThatThrownBy(() -> vocabulary.copyAction(64)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWordTheVocabularyNeverSawIsCopiedThroughTheSlotOfItsPlaceInThePrompt() {
        PromptCopies seen = copies("name[Alimentum], area[riverside]");
        PromptCopies unseen = copies("name[Zizzi], area[riverside]");
        assertThat(vocabulary.contains("zizzi")).isFalse();
        // The name stands after "name [" in both prompts, so the same action says either name.
        int nameAction = commonAction(seen, unseen, "alimentum", "zizzi");
        assertThat(unseen.word(nameAction, List.of())).isEqualTo("zizzi");
        assertThat(seen.word(nameAction, List.of())).isEqualTo("alimentum");
    }

    @Test
    void nextWordIdsSayWhatEachCopyWouldSayAsTheDecoderComparesWordsAndMarkACopyWhoseWordsWereAllSaid() {
        Vocabulary oneSlot = Vocabulary.build(List.of("near the"), tokenizer, 10, 1);
        PromptCopies c = PromptCopies.of(tokenizer.tokenize("Zizzi the Zizzi"), oneSlot, 256);
        // A known word has the vocabulary's id; an unknown one an id of its own, the same wherever it stands.
        assertThat(c.wordId("the")).isEqualTo(oneSlot.id("the"));
        assertThat(c.wordId("zizzi")).isNegative().isNotEqualTo(PromptCopies.SAID);
        assertThat(c.wordId("elsewhere")).isNotEqualTo(c.wordId("zizzi"));

        // Agrees with word() at every step, and the slot is spent once each position has been said.
        assertThat(c.nextWordIds(List.of())).containsExactly(c.wordId("zizzi"));
        assertThat(c.nextWordIds(List.of("zizzi"))).containsExactly(c.wordId("the"));
        assertThat(c.word(oneSlot.copyAction(0), List.of("zizzi"))).isEqualTo("the");
        assertThat(c.nextWordIds(List.of("zizzi", "the"))).as("the second zizzi is still owed").containsExactly(c.wordId("zizzi"));
        assertThat(c.nextWordIds(List.of("zizzi", "the", "zizzi"))).containsExactly(PromptCopies.SAID);
        assertThat(c.nextWordIds(List.of("the", "zizzi", "zizzi", "near"))).containsExactly(PromptCopies.SAID);
    }

    @Test
    void punctuationIsNotCopyableAndSharedSlotsEmitTheirWordsInTurn() {
        Vocabulary oneSlot = Vocabulary.build(List.of("a"), tokenizer, 10, 1);
        PromptCopies c = PromptCopies.of(tokenizer.tokenize("Burger King, near [x]"), oneSlot, 256);
        int only = oneSlot.copyAction(0);
        assertThat(c.actions()).containsExactly(only);
        assertThat(c.word(only, List.of())).isEqualTo("burger");
        assertThat(c.word(only, List.of("burger"))).isEqualTo("king");
        assertThat(c.word(only, List.of("burger", "king"))).isEqualTo("near");
        assertThat(c.word(only, List.of("burger", "king", "near", "x"))).as("all said: the first again").isEqualTo("burger");
        assertThat(PromptCopies.of(tokenizer.tokenize(", [ ]"), oneSlot, 256).actions()).isEmpty();
    }

    @Test
    void aVocabularyWithoutCopySlotsOffersNoCopies() {
        Vocabulary none = Vocabulary.build(List.of("a b"), tokenizer, 10);
        assertThat(none.copySlots()).isZero();
        assertThat(PromptCopies.of(tokenizer.tokenize("anything at all"), none, 256).actions()).isEmpty();
    }

    @Test
    void copyActionsSurviveAVocabularyFileAndMisplacedOnesAreRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        vocabulary.write(file);
        Vocabulary read = Vocabulary.read(file);
        assertThat(read.copySlots()).isEqualTo(64);
        assertThat(read.fingerprint()).isEqualTo(vocabulary.fingerprint());
        Files.write(file, List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.EOS, "<copy:0>", "word"));
        assertThatThrownBy(() -> Vocabulary.read(file)).isInstanceOf(IOException.class).hasMessageContaining("copy actions come last");
        Files.write(file, List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.EOS, "word", "<copy:1>"));
        assertThatThrownBy(() -> Vocabulary.read(file)).isInstanceOf(IOException.class).hasMessageContaining("in order");
    }

    @Test
    void contextsSeenInTrainingGetActionsOfTheirOwnSoTwoSlotsNeverShareOneAndUnseenOnesShareTheRest(@TempDir Path dir) throws IOException {
        // With 4 slots shared by hash alone, the 12 contexts of this prompt's words must share actions (pigeonhole).
        String prompt = "name[Cotto], food[Chinese], priceRange[more than £30], near[The Portland Arms]";
        List<String> tokens = tokenizer.tokenize(prompt);
        List<CopyContext> contexts = CopyContext.of(tokens).stream().filter(java.util.Objects::nonNull).toList();
        assertThat(contexts).hasSize(12).contains(new CopyContext("near", "[", 1), new CopyContext("than", "£", 0));
        Vocabulary hashed = Vocabulary.build(List.of(prompt), tokenizer, 100, 4);
        assertThat(PromptCopies.of(tokens, hashed, 256).actions()).hasSizeLessThan(12);

        Vocabulary named = Vocabulary.build(List.of(prompt), tokenizer, 100, 32, contexts);
        assertThat(named.copySlots()).isEqualTo(32);
        PromptCopies copies = PromptCopies.of(tokens, named, 256);
        // The slot keys ("food", "pricerange", "near") all stand at ("]", ",", 0): 10 distinct contexts.
        assertThat(copies.actions()).as("one action per distinct context").hasSize(new java.util.HashSet<>(contexts).size()).hasSize(10);
        assertThat(named.copySlotOf(new CopyContext("near", "[", 1))).isNotEqualTo(named.copySlotOf(new CopyContext("than", "£", 0)));
        // The same context in another prompt answers to the same action; a context never seen goes to a shared slot.
        PromptCopies other = PromptCopies.of(tokenizer.tokenize("near[Burger King], area[riverside]"), named, 256);
        int near1 = named.copyAction(named.copySlotOf(new CopyContext("near", "[", 1)));
        assertThat(other.word(near1, List.of())).isEqualTo("king");
        assertThat(copies.word(near1, List.of())).isEqualTo("portland");
        assertThat(named.copySlotOf(new CopyContext("area", "[", 0))).isGreaterThanOrEqualTo(12);

        // Named actions travel in the vocabulary file (so in its fingerprint) and come back with their contexts.
        Path file = dir.resolve("vocab.txt");
        named.write(file);
        Vocabulary read = Vocabulary.read(file);
        assertThat(read.fingerprint()).isEqualTo(named.fingerprint()).isNotEqualTo(Vocabulary.build(List.of(prompt), tokenizer, 100, 32).fingerprint());
        assertThat(read.copySlotOf(new CopyContext("near", "[", 1))).isEqualTo(named.copySlotOf(new CopyContext("near", "[", 1)));
        assertThat(read.id("<copy@near [ 1>")).as("a text cannot name a copy action").isEqualTo(Vocabulary.UNK_ID);
        Files.write(file, List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.EOS, "word", "<copy@no-offset>", "<copy:0>"));
        assertThatThrownBy(() -> Vocabulary.read(file)).isInstanceOf(IOException.class).hasMessageContaining("does not name a context");
        Files.write(file, List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.EOS, "word", "<copy:0>", "<copy@near [ 1>"));
        assertThatThrownBy(() -> Vocabulary.read(file)).isInstanceOf(IOException.class).hasMessageContaining("the named ones, then");
    }

    @Test
    void atMostThreeQuartersOfTheSlotsAreNamedSoUnseenContextsStillHaveSlots() {
        List<CopyContext> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(new CopyContext("k" + i, "[", 0));
        }
        Vocabulary v = Vocabulary.build(List.of("a"), tokenizer, 10, 16, many);
        assertThat(v.copySlots()).isEqualTo(16);
        assertThat(v.tokens().stream().filter(t -> t.startsWith("<copy@")).count()).isEqualTo(12);
        assertThat(v.copySlotOf(new CopyContext("unseen", "[", 0))).isBetween(12, 15);
    }

    private static int commonAction(PromptCopies a, PromptCopies b, String wordA, String wordB) {
        for (int action : a.actions()) {
            if (a.word(action, List.of()).equals(wordA)) {
                assertThat(b.actions()).contains(action);
                assertThat(b.word(action, List.of())).isEqualTo(wordB);
                return action;
            }
        }
        throw new AssertionError(wordA + " is not copyable");
    }
}
