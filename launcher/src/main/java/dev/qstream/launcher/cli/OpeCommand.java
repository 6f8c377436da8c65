package dev.qstream.launcher.cli;

import dev.qstream.evaluator.ope.EpsilonGreedyCandidate;
import dev.qstream.evaluator.ope.EstimatorSettings;
import dev.qstream.evaluator.ope.OffPolicyEvaluation;
import dev.qstream.evaluator.ope.OffPolicyReport;
import dev.qstream.evaluator.ope.TimeRange;
import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.KafkaOptions;
import dev.qstream.launcher.options.PointInTimeConverter;
import dev.qstream.launcher.options.SigningOptions;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.QstreamTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code qstream ope}: would a published model version have done better on the logged traffic? Reads the model
 * version (verified as the actors verify it) and the scored episodes of a time range, and prints the behaviour
 * policy's mean return next to the candidate's PDIS and doubly robust estimates (docs/DEPLOYMENT.md).
 */
@Command(name = "ope", mixinStandardHelpOptions = true,
        description = "Off-policy evaluation: estimate how a published model version would have done on the logged "
                + "episodes of qstream.scored (PDIS and doubly robust, 95%% intervals, effective sample size).")
public final class OpeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    SigningOptions signing;

    @Option(names = "--candidate", required = true, paramLabel = "VERSION",
            description = "Published model version to evaluate (>= 1).")
    long candidate;

    @Option(names = "--model-name", defaultValue = ModelIdentity.DEFAULT_NAME,
            description = "Model on the model topic (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--from", paramLabel = "INSTANT|AGO", converter = PointInTimeConverter.class,
            description = "Start of the logged range: an ISO-8601 instant or a duration ago (PT24H, 24h); default: the topic's beginning.")
    Instant from;

    @Option(names = "--to", paramLabel = "INSTANT|AGO", converter = PointInTimeConverter.class,
            description = "End of the logged range (exclusive), same forms; default: the topic's end now.")
    Instant to;

    @Option(names = "--epsilon", defaultValue = "" + EpsilonGreedyCandidate.DEFAULT_EPSILON,
            description = "The candidate's exploration: epsilon-greedy over the logged mask (default: ${DEFAULT-VALUE}).")
    double epsilon;

    @Option(names = "--clip", defaultValue = "" + EstimatorSettings.DEFAULT_MAX_RATIO,
            description = "Cap on each step's ratio pi/mu: less variance, bias toward the behaviour policy; Infinity = none (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--gamma", defaultValue = "" + EstimatorSettings.DEFAULT_GAMMA,
            description = "Discount of the estimated return; 1 = the episode reward (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the report as JSON.")
    Path out;

    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long reading the model and the scored topic may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws IOException {
        // Every setting is checked before the cluster is asked anything.
        KafkaSettings settings = kafka.settings();
        EstimatorSettings estimators = new EstimatorSettings(gamma, clip);
        TimeRange range = new TimeRange(Optional.ofNullable(from), Optional.ofNullable(to));
        if (candidate < 1) {
            throw new IllegalArgumentException("--candidate must be a published version (>= 1), got " + candidate);
        }
        EpsilonGreedyCandidate policy = new EpsilonGreedyCandidate(model(settings, signing.signer()), epsilon);
        OffPolicyReport report;
        try {
            report = OffPolicyEvaluation.run(settings, policy, estimators, range, timeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer: " + e.getMessage(), e);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(OpeReportFormat.text(report, modelName, settings.topic(QstreamTopic.SCORED)));
        stdout.flush();
        if (out != null) {
            Files.writeString(out, OpeReportFormat.json(report, modelName) + "\n", StandardCharsets.UTF_8);
        }
        return 0;
    }

    private ModelSnapshot model(KafkaSettings settings, Optional<ModelSigner> signer) {
        try {
            return PublishedModels.newest(settings, "qstream-ope", modelName, signer, timeout, v -> v == candidate)
                    .orElseThrow(() -> new IllegalArgumentException("model version " + candidate + " of '" + modelName
                            + "' is not on " + settings.topic(QstreamTopic.MODEL)
                            + " (or was refused: unsigned, signed with another key, or corrupt)"));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer: " + e.getMessage(), e);
        }
    }
}
