package dev.qstream.tasks;

import dev.qstream.policy.text.CopyContext;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskVocabularyTest {

    private static final Tokenizer TOKENIZER = new Tokenizer();

    @Test
    void noWordOfAnEvalPromptOrEvalReferenceEntersTheVocabulary() {
        List<TaskPrompt> task = List.of(
                new TaskPrompt("t1", "name[Alimentum], area[riverside]", List.of("Alimentum is by the riverside."), TaskPrompt.Split.TRAIN),
                new TaskPrompt("e1", "name[Zizzi], food[Sushi]", List.of("Zizzi serves sushi, wonderfully."), TaskPrompt.Split.EVAL));
        Vocabulary vocabulary = TaskVocabulary.of(task);
        assertThat(vocabulary.contains("alimentum")).isTrue();
        assertThat(vocabulary.contains("riverside")).isTrue();
        for (String evalOnly : List.of("zizzi", "food", "sushi", "serves", "wonderfully")) {
            assertThat(vocabulary.contains(evalOnly)).as(evalOnly).isFalse();
        }
        assertThat(vocabulary.copySlots()).as("copy actions say what the vocabulary lacks").isEqualTo(Vocabulary.DEFAULT_COPY_SLOTS);
        // The train prompt's places get copy actions of their own; the eval prompt's "food [" place does not.
        assertThat(vocabulary.tokens()).contains("<copy@name [ 0>", "<copy@area [ 0>")
                .noneMatch(t -> t.startsWith("<copy@food"));
        assertThat(vocabulary.copySlotOf(new CopyContext("food", "[", 0))).as("shared by hash")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void theE2eVocabularyHoldsOnlyTrainText() throws Exception {
        TaskFile.Loaded loaded = TaskFile.read(Path.of("..", "tasks", "e2e-dev.jsonl"));
        assertThat(loaded.errors()).isEmpty();
        List<TaskPrompt> task = loaded.prompts();
        Set<String> trainWords = new HashSet<>();
        Set<String> evalWords = new HashSet<>();
        for (TaskPrompt p : task) {
            Set<String> into = p.split() == TaskPrompt.Split.TRAIN ? trainWords : evalWords;
            into.addAll(TOKENIZER.tokenize(p.prompt()));
            p.references().forEach(r -> into.addAll(TOKENIZER.tokenize(r)));
        }
        Set<String> evalOnly = new HashSet<>(evalWords);
        evalOnly.removeAll(trainWords);
        assertThat(evalOnly).as("the eval split has words of its own, so this test can fail").isNotEmpty();
        Vocabulary vocabulary = TaskVocabulary.of(task);
        for (String word : evalOnly) {
            assertThat(vocabulary.contains(word)).as("eval-only word '%s'", word).isFalse();
        }
        assertThat(vocabulary.size() - vocabulary.copySlots() - Vocabulary.SPECIAL_TOKENS).isEqualTo(trainWords.size());
    }

    @Test
    void noEvalReferenceSetAlsoOccursInTraining() throws Exception {
        for (String file : List.of("data-to-text.jsonl", "headline.jsonl", "qa.jsonl", "e2e-dev.jsonl")) {
            assertHonestSplit(file, TaskFile.read(Path.of("..", "tasks", file)).prompts());
        }
        assertHonestSplit("built-in headline", HeadlineTask.generate(HeadlineTask.DEFAULT_SEED, HeadlineTask.DEFAULT_SIZE));
        assertHonestSplit("built-in data-to-text", DataToTextTask.generate(DataToTextTask.DEFAULT_SEED, DataToTextTask.DEFAULT_SIZE));
    }

    private static void assertHonestSplit(String name, List<TaskPrompt> task) {
        Set<Set<String>> train = new HashSet<>();
        task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).forEach(p -> train.add(new HashSet<>(p.references())));
        List<TaskPrompt> eval = task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList();
        assertThat(eval).as(name + " has eval prompts").isNotEmpty();
        assertThat(eval).as(name + ": eval prompts whose reference set is also a train prompt's")
                .noneMatch(p -> train.contains(new HashSet<>(p.references())));
    }

    @Test
    void masksGrowWithHowMuchOfTheReferencesThePromptLacks() throws Exception {
        List<TaskPrompt> e2e = TaskFile.read(Path.of("..", "tasks", "e2e-dev.jsonl")).prompts();
        List<TaskPrompt> dataToText = TaskFile.read(Path.of("..", "tasks", "data-to-text.jsonl")).prompts();
        int e2eWords = TaskVocabulary.commonWordsFor(e2e, TaskVocabulary.of(e2e), 0.9);
        int dataToTextWords = TaskVocabulary.commonWordsFor(dataToText, TaskVocabulary.of(dataToText), 0.9);
        assertThat(dataToTextWords).isBetween(1, 32);
        assertThat(e2eWords).isGreaterThan(2 * dataToTextWords);
        assertThat(TaskVocabulary.commonWordsFor(e2e, TaskVocabulary.of(e2e), 0.97)).isGreaterThan(e2eWords);
        assertThat(coverage(e2e, TaskVocabulary.of(e2e), e2eWords)).isGreaterThanOrEqualTo(0.9);
        assertThat(coverage(e2e, TaskVocabulary.of(e2e), e2eWords - 1)).isLessThan(0.9);
        assertThatThrownBy(() -> TaskVocabulary.commonWordsFor(e2e, TaskVocabulary.of(e2e), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Share of train reference tokens that are prompt words or among the n most frequent words. */
    private static double coverage(List<TaskPrompt> task, Vocabulary vocabulary, int n) {
        long tokens = 0;
        long covered = 0;
        for (TaskPrompt p : task) {
            if (p.split() != TaskPrompt.Split.TRAIN) {
                continue;
            }
            Set<String> prompt = new HashSet<>(TOKENIZER.tokenize(p.prompt()));
            for (String r : p.references()) {
                for (String t : TOKENIZER.tokenize(r)) {
                    tokens++;
                    int id = vocabulary.id(t);
                    if (prompt.contains(t) || (id >= Vocabulary.SPECIAL_TOKENS && id < Vocabulary.SPECIAL_TOKENS + n)) {
                        covered++;
                    }
                }
            }
        }
        return (double) covered / tokens;
    }
}
