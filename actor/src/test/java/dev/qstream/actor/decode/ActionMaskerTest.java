package dev.qstream.actor.decode;

import dev.qstream.policy.text.PromptCopies;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ActionMaskerTest {

    private final Tokenizer tokenizer = new Tokenizer();
    private final Vocabulary vocabulary = Vocabulary.build(List.of("near the river , the place is near"), tokenizer, 50, 64);
    private final List<String> promptWords = tokenizer.tokenize("name [ Zizzi ] near [ the river ]");
    private final PromptCopies copies = PromptCopies.of(promptWords, vocabulary, 256);
    private final int[] prompt = vocabulary.encode(promptWords);

    /** The mask after the prefix said {@code words}, computed as the actor does. */
    private ActionMasker.Mask maskAfter(ActionMasker masker, String... words) {
        int[] said = Arrays.stream(words).mapToInt(copies::wordId).toArray();
        int[] prefix = new int[words.length];
        for (int i = 0; i < words.length; i++) { // say each word by the vocabulary when it can, else by its copy
            prefix[i] = vocabulary.contains(words[i]) ? vocabulary.id(words[i]) : copyOf(words[i], Arrays.copyOf(words, i));
        }
        return masker.mask(prompt, copies.actions(), copies.nextWordIds(List.of(words)), prefix, said, said.length);
    }

    private boolean valid(ActionMasker.Mask mask, int action) {
        return mask.explicit() ? Arrays.binarySearch(mask.actions(), action) >= 0 : Arrays.binarySearch(mask.excluded(), action) < 0;
    }

    /** The copy action that would say {@code word} next, for a prompt where each word has a slot of its own. */
    private int copyOf(String word, String... said) {
        for (int a : copies.actions()) {
            if (copies.word(a, List.of(said)).equals(word)) {
                return a;
            }
        }
        throw new AssertionError("no copy says " + word);
    }

    @ParameterizedTest
    @EnumSource(value = ActionMasker.Mode.class, names = {"PROMPT_AND_COMMON", "ALL"})
    void aCopyThatWouldSayTheLastWordAgainIsNotValidNorTheVocabularyWordThatACopyJustSaid(ActionMasker.Mode mode) {
        ActionMasker masker = new ActionMasker(mode, vocabulary, 5);
        int copyThe = copyOf("the", "near");
        int vocabularyThe = vocabulary.id("the");
        assertThat(valid(maskAfter(masker, "near"), copyThe)).isTrue();
        assertThat(valid(maskAfter(masker, "near"), vocabularyThe)).isTrue();

        // "the" said by the vocabulary: the copy that would say "the" is the same word.
        assertThat(valid(maskAfter(masker, "near", "the"), copyOf("the", "near"))).isFalse();
        assertThat(valid(maskAfter(masker, "near", "the"), vocabularyThe)).isFalse();
        assertThat(valid(maskAfter(masker, "near", "the"), Vocabulary.EOS_ID)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = ActionMasker.Mode.class, names = {"PROMPT_AND_COMMON", "ALL"})
    void anActionBigramIsNotRepeatedButAWordBigramSaidByOtherActionsIs(ActionMasker.Mode mode) {
        ActionMasker masker = new ActionMasker(mode, vocabulary, 5);
        // "near the" by vocabulary actions, then "near" again: the vocabulary's "the" would repeat the action bigram.
        assertThat(valid(maskAfter(masker, "near", "the", "river", "near"), vocabulary.id("the"))).isFalse();
        // "near the" said once with the copy of the prompt's "the": the vocabulary's "the" after "near" repeats the
        // word bigram with another action, which real text does ("of 5 out of 5").
        int copyThe = copyOf("the", "near");
        int[] prefix = {vocabulary.id("near"), copyThe, vocabulary.id("river"), vocabulary.id("near")};
        int[] said = {vocabulary.id("near"), vocabulary.id("the"), vocabulary.id("river"), vocabulary.id("near")};
        ActionMasker.Mask mask = masker.mask(prompt, copies.actions(), copies.nextWordIds(List.of("near", "the", "river", "near")),
                prefix, said, said.length);
        assertThat(valid(mask, vocabulary.id("the"))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = ActionMasker.Mode.class, names = {"PROMPT_AND_COMMON", "ALL"})
    void aPromptPositionIsCopiedOnceAndAnUnknownWordStillOnce(ActionMasker.Mode mode) {
        ActionMasker masker = new ActionMasker(mode, vocabulary, 5);
        int copyZizzi = copyOf("zizzi");
        assertThat(vocabulary.contains("zizzi")).isFalse();
        assertThat(valid(maskAfter(masker), copyZizzi)).isTrue();
        assertThat(valid(maskAfter(masker, "zizzi", "is", "near"), copyZizzi)).as("its only position was said").isFalse();
        assertThat(valid(maskAfter(masker, "the", "river"), copyZizzi)).isTrue();
    }
}
