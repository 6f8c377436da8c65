package dev.qstream.tasks;

import dev.qstream.policy.text.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidationSplitTest {

    private static List<TaskPrompt> e2e() throws Exception {
        return TaskFile.read(Path.of("..", "tasks", "e2e-dev.jsonl")).prompts();
    }

    @Test
    void theEvalLinesAreDroppedAndATenthOfTheTrainLinesBecomeValidation() throws Exception {
        List<TaskPrompt> task = e2e();
        List<TaskPrompt> carved = ValidationSplit.carve(task, 0.1, 1);

        Set<String> evalIds = new HashSet<>();
        task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).forEach(p -> evalIds.add(p.id()));
        long train = task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).count();
        long validation = carved.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).count();

        assertThat(carved).hasSize((int) train);
        assertThat(carved).noneMatch(p -> evalIds.contains(p.id()));
        assertThat(validation).isBetween(train / 20, train * 3 / 20);
    }

    @Test
    void theVocabularyOfTheCarvedTaskLacksWordsOnlyTheValidationLinesUse() throws Exception {
        List<TaskPrompt> carved = ValidationSplit.carve(e2e(), 0.1, 1);
        var vocabulary = TaskVocabulary.of(carved);
        Set<String> trainWords = new HashSet<>();
        var tokenizer = new Tokenizer();
        carved.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).forEach(p -> {
            trainWords.addAll(tokenizer.tokenize(p.prompt()));
            p.references().forEach(r -> trainWords.addAll(tokenizer.tokenize(r)));
        });
        Set<String> validationOnly = new HashSet<>();
        carved.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL)
                .forEach(p -> p.references().forEach(r -> tokenizer.tokenize(r).stream()
                        .filter(w -> !trainWords.contains(w)).forEach(validationOnly::add)));

        assertThat(validationOnly).isNotEmpty();
        assertThat(validationOnly).noneMatch(vocabulary::contains);
    }

    @Test
    void theSameSeedCarvesTheSameLinesAndAnotherSeedOthers() throws Exception {
        List<TaskPrompt> task = e2e();
        assertThat(ids(ValidationSplit.carve(task, 0.1, 1))).isEqualTo(ids(ValidationSplit.carve(task, 0.1, 1)));
        assertThat(ids(ValidationSplit.carve(task, 0.1, 2))).isNotEqualTo(ids(ValidationSplit.carve(task, 0.1, 1)));
    }

    @Test
    void aFractionThatLeavesASideEmptyIsRefused() throws Exception {
        List<TaskPrompt> two = List.of(new TaskPrompt("a", "x", List.of("y"), TaskPrompt.Split.TRAIN),
                new TaskPrompt("b", "x", List.of("y"), TaskPrompt.Split.TRAIN));
        assertThatThrownBy(() -> ValidationSplit.carve(two, 1e-9, 1)).hasMessageContaining("both need at least one");
        assertThatThrownBy(() -> ValidationSplit.carve(e2e(), 1.0, 1)).hasMessageContaining("(0, 1)");
    }

    private static Set<String> ids(List<TaskPrompt> carved) {
        Set<String> out = new HashSet<>();
        carved.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).forEach(p -> out.add(p.id()));
        return out;
    }
}
