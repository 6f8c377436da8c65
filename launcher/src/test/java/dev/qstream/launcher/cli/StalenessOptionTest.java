package dev.qstream.launcher.cli;

import dev.qstream.learner.replay.StaleTransitions;
import dev.qstream.learner.replay.StalenessBound;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --max-policy-lag} and {@code --stale-transitions} on the learner: unbounded unless asked, DROP by default. */
class StalenessOptionTest {

    private static StalenessBound boundOf(String... args) {
        CommandLine.ParseResult parsed = QstreamCli.commandLine().parseArgs(args);
        return ((LearnerCommand) parsed.subcommand().commandSpec().userObject()).staleness.bound();
    }

    @Test
    void theLearnerIsUnboundedByDefaultAndTakesKAndTheTreatment() {
        assertThat(boundOf("learner")).isEqualTo(StalenessBound.UNBOUNDED);
        assertThat(boundOf("learner", "--max-policy-lag", "5")).isEqualTo(new StalenessBound(5, StaleTransitions.DROP));
        assertThat(boundOf("learner", "--max-policy-lag", "20", "--stale-transitions", "DOWNWEIGHT"))
                .isEqualTo(new StalenessBound(20, StaleTransitions.DOWNWEIGHT));
    }
}
