package dev.qstream.launcher.cli;

import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.HeadlineTask;
import dev.qstream.tasks.TaskFile;
import dev.qstream.tasks.TaskPrompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code qstream task}: the built-in task generators (the repository's tasks/ files are their output). */
@Command(name = "task", mixinStandardHelpOptions = true, description = "Generate a built-in task file, or check one.",
        subcommands = {TaskCommand.Generate.class, TaskCommand.Check.class})
public final class TaskCommand {

    /** Which generator. */
    enum Kind { DATA_TO_TEXT, HEADLINE }

    @Command(name = "generate", mixinStandardHelpOptions = true, description = "Write a seeded built-in task as JSON Lines.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--kind", defaultValue = "DATA_TO_TEXT", description = "DATA_TO_TEXT or HEADLINE (default: ${DEFAULT-VALUE}).")
        Kind kind;

        @Option(names = "--seed", description = "Generator seed (default: the kind's built-in seed).")
        Long seed;

        @Option(names = "--size", description = "Prompts (default: the kind's built-in size).")
        Integer size;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
        Path out;

        @Override
        public Integer call() throws Exception {
            List<TaskPrompt> prompts = switch (kind) {
                case DATA_TO_TEXT -> DataToTextTask.generate(seed == null ? DataToTextTask.DEFAULT_SEED : seed,
                        size == null ? DataToTextTask.DEFAULT_SIZE : size);
                case HEADLINE -> HeadlineTask.generate(seed == null ? HeadlineTask.DEFAULT_SEED : seed,
                        size == null ? HeadlineTask.DEFAULT_SIZE : size);
            };
            TaskFile.write(out, prompts);
            System.out.printf("wrote %d prompts (%d eval) to %s%n", prompts.size(),
                    prompts.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).count(), out);
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Validate a task file and report bad lines.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--in", required = true, paramLabel = "FILE", description = "Task file.")
        Path in;

        @Override
        public Integer call() throws Exception {
            TaskFile.Loaded loaded = TaskFile.read(in);
            loaded.errors().forEach(System.err::println);
            System.out.printf("%d valid prompts (%d train, %d eval), %d bad lines%n", loaded.prompts().size(),
                    loaded.split(TaskPrompt.Split.TRAIN).size(), loaded.split(TaskPrompt.Split.EVAL).size(), loaded.errors().size());
            return loaded.errors().isEmpty() ? 0 : 1;
        }
    }
}
