package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.EnvironmentDefaults;
import dev.qstream.runtime.kafka.KafkaUnreachableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The {@code qstream} command: the local stack, the broker, and each service on its own. */
@Command(name = "qstream", mixinStandardHelpOptions = true, version = "qstream 0.1.0",
        description = "Kafka-native continuous learning for text generation (DQN over tokens).",
        footer = {"", "Benchmarks live in the bench module, off this class path: ./qstream bench --help"},
        subcommands = {UpCommand.class, BrokerCommand.class, TopicsCommand.class, ActorCommand.class, OpsCommand.class,
                EvaluatorCommand.class, EvalCommand.class, OpeCommand.class, PromoteCommand.class, RollbackCommand.class,
                DeploymentsCommand.class, TaskCommand.class,
                ScoreCommand.class,
                ScorerCommand.class, LearnerCommand.class, StatusCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class QstreamCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with qstream's error handling: expected failures print one clear line, no stack trace. */
    public static CommandLine commandLine() {
        return withErrorHandling(new CommandLine(new QstreamCli()));
    }

    /** Environment defaults and one-line errors for any qstream command line (the bench module's too). */
    public static CommandLine withErrorHandling(CommandLine cli) {
        cli.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof IOException || e instanceof UncheckedIOException
                    || e instanceof KafkaUnreachableException) {
                command.getErr().println("qstream " + command.getCommandName() + ": " + e.getMessage());
                command.getErr().flush();
                return 2;
            }
            throw e;
        });
        return cli;
    }
}
