package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.KafkaOptions;
import dev.qstream.console.report.LearningCurve;
import dev.qstream.console.report.LearningCurvePlot;
import dev.qstream.console.telemetry.StartPosition;
import dev.qstream.console.telemetry.TopicWindowReader;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qstream report}: the learning curve, read from the topics, drawn to a PNG. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Draw the learning curve (episode reward and held-out ROUGE-L, against time and against updates) to a PNG.")
public final class ReportCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to write the PNG.")
    Path out;

    @Option(names = "--csv", paramLabel = "FILE.csv",
            description = "Also write the plotted points as CSV (series,x,y): held-out ROUGE-L and mean reward against minutes and updates.")
    Path csv;

    @Option(names = "--since", converter = DurationConverter.class,
            description = "Only the last DURATION of the topics (e.g. 2h); default: everything they still hold.")
    Duration since;

    @Option(names = "--title", defaultValue = "qstream learning curve", description = "Chart title (default: ${DEFAULT-VALUE}).")
    String title;

    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long reading the topics may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        KafkaSettings settings = kafka.settings();
        StartPosition start = since == null ? StartPosition.beginning() : StartPosition.since(Instant.now().minus(since));
        Map<QstreamTopic, StartPosition> starts = new LinkedHashMap<>();
        starts.put(QstreamTopic.GENERATIONS, start);
        starts.put(QstreamTopic.METRICS, start);
        LearningCurve curve = new LearningCurve(10_000);
        long[] skipped = new long[1];
        try {
            TopicWindowReader.read(settings, "qstream-report", starts, timeout, (topic, r) -> {
                try {
                    if (topic == QstreamTopic.GENERATIONS) {
                        curve.accept(Serdes.EPISODE.decode(r.value()));
                    } else {
                        curve.accept(Serdes.METRIC_EVENT.decode(r.value()));
                    }
                } catch (AvroDecodeException e) {
                    skipped[0]++; // the dashboard dead-letters these; a report just leaves them out
                }
            });
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer: " + e.getMessage(), e);
        }
        LearningCurvePlot.write(curve, out, title);
        if (csv != null) {
            writeCsv(curve, csv);
        }
        double[] firstLast = curve.firstAndLastTenthMeanReward();
        System.err.printf(Locale.ROOT, "[qstream report] wrote %s: %d scored episodes, %d held-out evaluations%s; "
                        + "mean reward first tenth %.4f, last tenth %.4f%n", out, curve.episodes(), curve.evaluations(),
                skipped[0] == 0 ? "" : ", " + skipped[0] + " undecodable records skipped", firstLast[0], firstLast[1]);
        return 0;
    }

    private static void writeCsv(LearningCurve curve, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("series,x,y\n");
        Map<String, LearningCurve.Curve> series = new LinkedHashMap<>();
        series.put("heldOutRougeL_vs_minutes", curve.heldOutOverTime());
        series.put("heldOutRougeL_vs_updates", curve.heldOutOverUpdates());
        series.put("meanReward_vs_minutes", curve.rewardOverTime(200));
        series.put("meanReward_vs_updates", curve.rewardOverUpdates(200));
        series.forEach((name, c) -> {
            for (int i = 0; i < c.size(); i++) {
                sb.append(name).append(',').append(String.format(Locale.ROOT, "%.4f", c.x()[i]))
                        .append(',').append(String.format(Locale.ROOT, "%.6f", c.y()[i])).append('\n');
            }
        });
        Files.writeString(file, sb.toString());
    }
}
