package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.EnvironmentDefaults;
import dev.qstream.runtime.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --compression} reaches the producers of every command that writes records (and {@code up}'s service JVMs),
 * comes from {@code QSTREAM_COMPRESSION} like any option, and a value Kafka does not know is one clear error. (Also:
 * {@code --replication-factor} is "from the cluster size" unless given.)
 */
class CompressionOptionTest {

    private static final List<String> PRODUCING_COMMANDS = List.of("actor", "scorer", "learner", "evaluator", "ops");

    private static CommandLine cli(Map<String, String> environment) {
        CommandLine cli = QstreamCli.commandLine();
        cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
        return cli;
    }

    /** Parses {@code args} and returns the settings the chosen service command would give its producers. */
    private static KafkaSettings settingsOf(Map<String, String> environment, String... args) {
        CommandLine.ParseResult parsed = cli(environment).parseArgs(args);
        Object command = parsed.subcommand().commandSpec().userObject();
        if (command instanceof OpsCommand ops) {
            return ops.kafka.settings();
        }
        if (command instanceof ActorCommand c) {
            return c.service.kafka.settings();
        }
        if (command instanceof ScorerCommand c) {
            return c.service.kafka.settings();
        }
        if (command instanceof LearnerCommand c) {
            return c.service.kafka.settings();
        }
        if (command instanceof EvaluatorCommand c) {
            return c.service.kafka.settings();
        }
        throw new AssertionError("not a producing command: " + command);
    }

    @Test
    void everyProducingCommandCompressesWithLz4ByDefaultAndWithTheChoiceWhenGiven() {
        for (String command : PRODUCING_COMMANDS) {
            assertThat(settingsOf(Map.of(), command, "--bootstrap-servers", "kafka:9092").producer("p")
                    .getProperty("compression.type")).as(command + " default").isEqualTo("lz4");
            for (String choice : List.of("none", "gzip", "snappy", "zstd")) {
                assertThat(settingsOf(Map.of(), command, "--bootstrap-servers", "kafka:9092", "--compression", choice)
                        .producer("p").getProperty("compression.type")).as(command + " " + choice).isEqualTo(choice);
            }
        }
    }

    @Test
    void theReplicationFactorFollowsTheClusterUnlessGiven() {
        for (String command : PRODUCING_COMMANDS) {
            assertThat(settingsOf(Map.of(), command, "--bootstrap-servers", "kafka:9092").layout().autoReplication())
                    .as(command + " default").isTrue();
            assertThat(settingsOf(Map.of(), command, "--bootstrap-servers", "kafka:9092", "--replication-factor", "2")
                    .layout().replicationFactor()).as(command + " given").isEqualTo((short) 2);
        }
    }

    @Test
    void theEnvironmentSetsItAndTheCommandLineWins() {
        Map<String, String> env = Map.of("QSTREAM_COMPRESSION", "gzip");
        assertThat(settingsOf(env, "actor", "--bootstrap-servers", "kafka:9092").compressionType()).isEqualTo("gzip");
        assertThat(settingsOf(env, "actor", "--bootstrap-servers", "kafka:9092", "--compression", "none").compressionType())
                .isEqualTo("none");
    }

    @Test
    void upHandsItsChoiceToEveryServiceJvm() {
        CommandLine.ParseResult parsed = cli(Map.of()).parseArgs("up", "--compression", "zstd");
        UpCommand up = (UpCommand) parsed.subcommand().commandSpec().userObject();
        List<String> childArgs = up.childKafkaArgs("127.0.0.1:9092");
        assertThat(childArgs.get(childArgs.indexOf("--compression") + 1)).isEqualTo("zstd");
        // ... and what a child makes of those arguments is that choice.
        List<String> actorArgs = new ArrayList<>(List.of("actor"));
        actorArgs.addAll(childArgs);
        assertThat(settingsOf(Map.of(), actorArgs.toArray(String[]::new)).compressionType()).isEqualTo("zstd");
        UpCommand byDefault = (UpCommand) cli(Map.of()).parseArgs("up").subcommand().commandSpec().userObject();
        assertThat(byDefault.childKafkaArgs("127.0.0.1:9092")).containsSubsequence("--compression", "lz4");
    }

    @Test
    void aValueKafkaDoesNotKnowIsOneClearErrorNamingTheChoices() {
        for (String command : List.of("actor", "scorer", "learner", "evaluator", "ops", "up")) {
            StringWriter err = new StringWriter();
            CommandLine cli = cli(Map.of());
            cli.setOut(new PrintWriter(new StringWriter(), true));
            cli.setErr(new PrintWriter(err, true));
            int exit = command.equals("up")
                    ? cli.execute(command, "--compression", "brotli")
                    : cli.execute(command, "--bootstrap-servers", "127.0.0.1:9092", "--compression", "brotli");
            assertThat(exit).as(command).isEqualTo(2);
            assertThat(err.toString()).as(command)
                    .contains("Invalid value for option '--compression'")
                    .contains("compression 'brotli' is not one of none, gzip, snappy, lz4, zstd")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void commandsThatOnlyReadDoNotOfferIt() {
        Map<String, CommandLine> commands = cli(Map.of()).getSubcommands();
        for (String command : List.of("status", "report", "topics", "broker")) {
            assertThat(commands.get(command).getCommandSpec().findOption("--compression")).as(command).isNull();
        }
        for (String command : PRODUCING_COMMANDS) {
            assertThat(commands.get(command).getCommandSpec().findOption("--compression")).as(command).isNotNull();
        }
    }
}
