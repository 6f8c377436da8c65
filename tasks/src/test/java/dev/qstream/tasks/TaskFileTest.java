package dev.qstream.tasks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TaskFileTest {

    @Test
    void theBuiltInTaskFilesAreExactlyWhatTheSeededGeneratorsProduce() throws Exception {
        assertThat(TaskFile.read(Path.of("..", "tasks", "data-to-text.jsonl")).prompts())
                .isEqualTo(DataToTextTask.generate(DataToTextTask.DEFAULT_SEED, DataToTextTask.DEFAULT_SIZE));
        assertThat(TaskFile.read(Path.of("..", "tasks", "headline.jsonl")).prompts())
                .isEqualTo(HeadlineTask.generate(HeadlineTask.DEFAULT_SEED, HeadlineTask.DEFAULT_SIZE));
    }

    @Test
    void generatorsKeepTrainAndEvalApartAndNeverRepeatAPrompt() {
        for (List<TaskPrompt> task : List.of(DataToTextTask.generate(3, 500), HeadlineTask.generate(3, 500))) {
            assertThat(task).extracting(TaskPrompt::prompt).doesNotHaveDuplicates();
            // About a tenth held out (the headline task splits by headline, so the share varies around 10% with the seed).
            assertThat(task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).count()).isBetween(20L, 80L);
            assertThat(task).allSatisfy(p -> assertThat(p.references()).hasSize(3));
        }
    }

    @Test
    void badLinesAreReportedWithTheirLineNumbersAndTheRestIsLoaded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("task.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\":\"a\",\"prompt\":\"p\",\"references\":[\"r\"],\"split\":\"train\"}",
                "{not json",
                "{\"id\":\"b\",\"prompt\":\"\",\"references\":[],\"split\":\"train\"}",
                "",
                "{\"id\":\"c\",\"prompt\":\"p\",\"references\":[\"r\"],\"split\":\"test\"}",
                "{\"id\":\"a\",\"prompt\":\"p\",\"references\":[\"r\"],\"split\":\"eval\"}",
                "{\"id\":\"d\",\"prompt\":\"p\",\"references\":[1],\"split\":\"eval\"}",
                "{\"id\":\"e\",\"prompt\":\"p\",\"references\":[\"r\"],\"split\":\"eval\",\"extra\":1}",
                "[1,2]",
                "{\"id\":\"f\",\"prompt\":\"q\",\"references\":[\"r1\",\"r2\"],\"split\":\"EVAL\"}",
                "{\"id\":\"g\",\"references\":[\"r\"],\"split\":\"train\"}",
                "{\"prompt\":\"p\",\"references\":[\"r\"],\"split\":\"train\"}",
                "{\"id\":\"h\",\"prompt\":\"p\",\"split\":\"train\"}",
                "{\"id\":\"i\",\"prompt\":\"p\",\"references\":[],\"split\":\"eval\"}",
                "{\"id\":\"j\",\"prompt\":\"feedback only\",\"references\":[],\"split\":\"train\"}"));
        TaskFile.Loaded loaded = TaskFile.read(file);
        assertThat(loaded.prompts()).extracting(TaskPrompt::id).containsExactly("a", "f", "j");
        assertThat(loaded.prompts().get(2).references()).isEmpty(); // a train prompt without references: feedback only
        assertThat(loaded.errors()).hasSize(11);
        assertThat(loaded.errors().get(0)).startsWith("task.jsonl:2: not valid JSON");
        assertThat(loaded.errors().get(1)).startsWith("task.jsonl:3: 'prompt' must be a non-empty string");
        assertThat(loaded.errors().get(2)).startsWith("task.jsonl:5: 'split' must be");
        assertThat(loaded.errors().get(3)).startsWith("task.jsonl:6: duplicate id 'a'");
        assertThat(loaded.errors().get(4)).startsWith("task.jsonl:7: 'references' must hold strings only");
        assertThat(loaded.errors().get(5)).startsWith("task.jsonl:8: unknown field 'extra'");
        assertThat(loaded.errors().get(6)).startsWith("task.jsonl:9: expected a JSON object");
        assertThat(loaded.errors().get(7)).startsWith("task.jsonl:11: 'prompt' must be a non-empty string");
        assertThat(loaded.errors().get(8)).startsWith("task.jsonl:12: 'id' must be a non-empty string");
        assertThat(loaded.errors().get(9)).startsWith("task.jsonl:13: 'references' must be an array of strings");
        assertThat(loaded.errors().get(10)).startsWith("task.jsonl:14: an eval prompt needs at least one reference");
    }
}
