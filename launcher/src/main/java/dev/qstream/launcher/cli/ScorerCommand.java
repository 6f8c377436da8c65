package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.ServiceOptions;
import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.feedback.FeedbackAggregation;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardConfig;
import dev.qstream.scorer.stream.ScorerConfig;
import dev.qstream.scorer.stream.ScorerService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code qstream scorer}: one scorer instance (Kafka Streams) against a Kafka cluster. Every knob of the reward
 * ({@code reward = w_metric·metric + w_bleu·BLEU/100 + w_human·feedback − penalties}) and of the feedback join is an
 * option here; docs/REWARDS.md explains them.
 */
@Command(name = "scorer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Assemble episodes, join human feedback, compose ROUGE/BLEU/feedback rewards and emit scored "
                + "transitions, exactly once.")
public final class ScorerCommand implements Callable<Integer> {

    /** What to do with an episode whose prompt has no reference. */
    enum WithoutReferences { FEEDBACK_ONLY, DEAD_LETTER }

    @Mixin
    ServiceOptions service;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "RocksDB state directory (default: a temp dir).")
    Path stateDir;

    @Option(names = "--metric", defaultValue = "ROUGE_L", description = "Main reward metric: ROUGE_L, ROUGE_1, ROUGE_2 F-measure (default: ${DEFAULT-VALUE}).")
    RewardConfig.Metric metric;

    @Option(names = "--stemming", description = "Porter-stem tokens in ROUGE (rouge-score's use_stemmer).")
    boolean stemming;

    @Option(names = "--shaping", defaultValue = "DELTA", description = "DELTA: each step gets the metric's gain over the previous prefix; TERMINAL: all on the last step (default: ${DEFAULT-VALUE}).")
    RewardConfig.Shaping shaping;

    @Option(names = "--metric-weight", defaultValue = "1.0", description = "Weight of the metric (default: ${DEFAULT-VALUE}).")
    double metricWeight;

    @Option(names = "--bleu-weight", defaultValue = "0.0", description = "Weight of sentence BLEU/100 (default: ${DEFAULT-VALUE}).")
    double bleuWeight;

    @Option(names = "--human-weight", defaultValue = "0.0", description = "Weight of the aggregated human feedback in [-1, 1]; non-zero holds episodes for their feedback window (default: ${DEFAULT-VALUE}).")
    double humanWeight;

    @Option(names = "--default-human", defaultValue = "0.0", description = "Human value used when no feedback arrives within the window (default: ${DEFAULT-VALUE}).")
    double defaultHuman;

    @Option(names = "--length-free-tokens", defaultValue = "64", description = "Words allowed before the length penalty starts (default: ${DEFAULT-VALUE}).")
    int lengthFreeTokens;

    @Option(names = "--length-penalty", defaultValue = "0.0", description = "Penalty per word beyond --length-free-tokens (default: ${DEFAULT-VALUE}).")
    double lengthPenalty;

    @Option(names = "--repetition-penalty", defaultValue = "0.0", description = "Penalty times the fraction of repeated word bigrams (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--without-references", defaultValue = "FEEDBACK_ONLY", description = "Prompts without references: FEEDBACK_ONLY (reward = feedback) or DEAD_LETTER (default: ${DEFAULT-VALUE}).")
    WithoutReferences withoutReferences;

    @Option(names = "--feedback-window", defaultValue = "10m", converter = DurationConverter.class,
            description = "Feedback given this long after an episode's done step is part of its reward (default: ${DEFAULT-VALUE}).")
    Duration feedbackWindow;

    @Option(names = "--feedback-grace", defaultValue = "1m", converter = DurationConverter.class,
            description = "Extra wait for feedback given in the window but delivered late (default: ${DEFAULT-VALUE}).")
    Duration feedbackGrace;

    @Option(names = "--feedback-aggregation", defaultValue = "MEAN", description = "Several events of one episode: EARLIEST, LATEST, MEAN, MIN, MAX, SUM (default: ${DEFAULT-VALUE}).")
    FeedbackAggregation feedbackAggregation;

    @Option(names = "--emit-on-first-feedback", description = "Score an episode as soon as one event inside its window arrives, instead of at the window's end.")
    boolean emitOnFirstFeedback;

    @Option(names = "--feedback-retention", defaultValue = "24h", converter = DurationConverter.class,
            description = "How long scored episodes are remembered for late feedback (reward corrections) (default: ${DEFAULT-VALUE}).")
    Duration feedbackRetention;

    @Option(names = "--episode-timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "Dead-letter episodes not complete (and feedback without episode) after this long (default: ${DEFAULT-VALUE}).")
    Duration episodeTimeout;

    @Option(names = "--standby-replicas", defaultValue = "0", description = "Standby replicas of the state stores (default: ${DEFAULT-VALUE}).")
    int standbyReplicas;

    @Option(names = "--commit-interval", defaultValue = "100ms", converter = DurationConverter.class,
            description = "Kafka Streams commit interval, i.e. the length of each exactly-once transaction (default: ${DEFAULT-VALUE}).")
    Duration commitInterval;

    @Override
    public Integer call() throws Exception {
        String id = ServiceRunner.instanceId(service, "scorer");
        TopicLayout layout = service.kafka.settings().layout();
        Path dir = stateDir != null ? stateDir : java.nio.file.Files.createTempDirectory("qstream-scorer-");
        config(layout, dir); // bad options fail here, before connecting
        // The connected context's layout has the replication factor chosen from the cluster: Streams' internal topics
        // (changelogs, repartition) get it too.
        return ServiceRunner.run(service, "scorer", id, context -> ScorerService.start(config(context.kafka().layout(), dir), context));
    }

    /** The options as the scorer's configuration (bad values fail here, with the option's meaning in the message). */
    ScorerConfig config(TopicLayout layout, Path dir) {
        RewardConfig reward = new RewardConfig(metric, stemming, metricWeight, bleuWeight, humanWeight, defaultHuman,
                lengthFreeTokens, lengthPenalty, repetitionPenalty, shaping);
        FeedbackConfig feedback = new FeedbackConfig(feedbackWindow, feedbackGrace, feedbackAggregation,
                emitOnFirstFeedback, feedbackRetention);
        return ScorerConfig.defaults(layout, dir)
                .withReward(reward)
                .withFeedback(feedback)
                .withEpisodeTimeout(episodeTimeout)
                .withFeedbackOnlyWithoutReferences(withoutReferences == WithoutReferences.FEEDBACK_ONLY)
                .withStandbyReplicas(standbyReplicas)
                .withCommitInterval(commitInterval);
    }
}
