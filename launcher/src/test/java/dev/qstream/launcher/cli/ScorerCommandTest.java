package dev.qstream.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.feedback.FeedbackAggregation;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardConfig;
import dev.qstream.scorer.stream.ScorerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ScorerCommandTest {

    private static ScorerConfig parse(String... args) {
        CommandLine.ParseResult parsed = new CommandLine(new ScorerCommand()).parseArgs(args);
        ScorerCommand command = (ScorerCommand) parsed.commandSpec().userObject();
        return command.config(TopicLayout.defaults(), Path.of("/tmp/state"));
    }

    @Test
    void withoutOptionsTheScorerRunsWithTheLibraryDefaults() {
        ScorerConfig config = parse();
        ScorerConfig defaults = ScorerConfig.defaults(TopicLayout.defaults(), Path.of("/tmp/state"));
        assertThat(config.reward()).isEqualTo(RewardConfig.defaults());
        assertThat(config.feedback()).isEqualTo(FeedbackConfig.defaults());
        assertThat(config).isEqualTo(defaults);
    }

    @Test
    void everyKnobReachesTheConfig() {
        ScorerConfig c = parse("--metric", "ROUGE_2", "--stemming", "--shaping", "TERMINAL", "--metric-weight", "2",
                "--bleu-weight", "0.5", "--human-weight", "0.25", "--default-human", "-0.1", "--length-free-tokens", "30",
                "--length-penalty", "0.01", "--repetition-penalty", "0.3", "--without-references", "DEAD_LETTER",
                "--feedback-window", "5m", "--feedback-grace", "30s", "--feedback-aggregation", "MIN",
                "--emit-on-first-feedback", "--feedback-retention", "2h", "--episode-timeout", "90s",
                "--standby-replicas", "1", "--commit-interval", "250ms");
        assertThat(c.reward()).isEqualTo(new RewardConfig(RewardConfig.Metric.ROUGE_2, true, 2, 0.5, 0.25, -0.1, 30,
                0.01, 0.3, RewardConfig.Shaping.TERMINAL));
        assertThat(c.feedback()).isEqualTo(new FeedbackConfig(Duration.ofMinutes(5), Duration.ofSeconds(30),
                FeedbackAggregation.MIN, true, Duration.ofHours(2)));
        assertThat(c.feedbackOnlyWithoutReferences()).isFalse();
        assertThat(c.episodeTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.standbyReplicas()).isEqualTo(1);
        assertThat(c.commitInterval()).isEqualTo(Duration.ofMillis(250));
    }
}
