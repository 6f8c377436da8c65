package dev.qstream.console.dashboard;

import dev.qstream.console.dashboard.ChartAssembler.TimeLine;
import dev.qstream.console.telemetry.DeploymentHistory;
import dev.qstream.console.telemetry.GenerationStats;
import dev.qstream.console.telemetry.LoopTelemetry;
import dev.qstream.console.telemetry.MetricBoard;
import dev.qstream.console.telemetry.MetricPoint;
import dev.qstream.console.telemetry.MetricSeries;
import dev.qstream.schemas.avro.MetricKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The dashboard's charts, in page order, and which metric each line comes from: the one place that maps the page to
 * metric names (deploy/grafana/qstream.json mirrors it panel by panel). Every series of a named metric becomes a line,
 * one per instance and tag combination, so a second actor or a new percentile simply appears.
 */
final class DashboardCharts {

    static final int MAX_POINTS = 720;

    /** Held-out evaluation metrics (issue 8's evaluator), tagged with the model version evaluated. */
    static final Map<String, String> HELD_OUT = linked("eval.rougeL.f", "ROUGE-L F", "eval.rouge1.f", "ROUGE-1 F",
            "eval.bleu", "BLEU/100");

    private final LoopTelemetry telemetry;
    private final LagMonitor lag;

    DashboardCharts(LoopTelemetry telemetry, LagMonitor lag) {
        this.telemetry = telemetry;
        this.lag = lag;
    }

    /** Every chart of the page, id to title, in page order; deploy/grafana/qstream.json has a panel of each title. */
    static final Map<String, String> TITLES = linked(
            "rewardByVersion", "Mean episode reward by model version",
            "rewardOverTime", "Mean episode reward over time",
            "heldOut", "Held-out learning curve (greedy, eval split)",
            "learnerLoss", "Learner loss and |TD error|",
            "learnerQ", "Mean Q of the sampled actions",
            "learnerThroughput", "Learner updates/s and samples/s",
            "replay", "Replay fill",
            "actorTokens", "Actor tokens/s and requests/s",
            "actorLatency", "Actor per-token latency",
            "modelVersions", "Model version: published and served per actor",
            "deployments", "Deployment: champion over time, promotions and rollbacks",
            "canary", "Canary share and policy lag",
            "swapLatency", "Model swap latency (publish → serving)",
            "lag", "Consumer lag per group",
            "trainingBacklog", "Training backlog (over its bound, actors emit a share of episodes for training)",
            "scorerRates", "Scorer: feedback join hit rate, default and late reward rates",
            "deadLetters", "Dead letters written (cumulative, per writer)");

    /** Every chart of the page by id. */
    Map<String, ChartData> all() {
        Map<String, ChartData> charts = new LinkedHashMap<>();
        charts.put("rewardByVersion", rewardByVersion());
        charts.put("rewardOverTime", rewardOverTime());
        charts.put("heldOut", heldOut());
        charts.put("learnerLoss", time("learnerLoss", "", values("learner.loss", "loss "), values("learner.td.abs", "|TD| ")));
        charts.put("learnerQ", time("learnerQ", "", values("learner.q.mean", "mean Q ")));
        charts.put("learnerThroughput", time("learnerThroughput", "", rates("learner.updates", "updates/s "),
                right(values("learner.samples.per.second", "samples/s "))));
        charts.put("replay", time("replay", "transitions", values("learner.replay.size", "size "),
                values("learner.replay.capacity", "capacity ")));
        charts.put("actorTokens", time("actorTokens", "", tokenRates(), right(rates("actor.requests", "requests/s "))));
        charts.put("actorLatency", time("actorLatency", "ms", percentiles("actor.token.latency", "")));
        charts.put("modelVersions", time("modelVersions", "", values("learner.model.version", "published "),
                values("actor.model.version", "served "), values("actor.model.challenger.version", "challenger ")));
        charts.put("deployments", deployments());
        charts.put("canary", time("canary", "", values("learner.policy.lag.mean", "policy lag mean "),
                values("learner.policy.lag.max", "policy lag max "), right(values("actor.canary.fraction", "canary share "))));
        charts.put("swapLatency", time("swapLatency", "ms", percentiles("actor.model.swap.latency", "")));
        charts.put("lag", lagChart());
        charts.put("trainingBacklog", time("trainingBacklog", "records", values("actor.training.backlog", "backlog "),
                right(values("actor.training.keep.share", "kept share "))));
        charts.put("scorerRates", time("scorerRates", "", values("scorer.feedback.join.hit.rate", "join hit "),
                values("scorer.reward.default.rate", "default reward "), values("scorer.feedback.late.rate", "late feedback ")));
        charts.put("deadLetters", time("deadLetters", "", values("qstream.deadletters", "")));
        return charts;
    }

    /** Any metric by name, every series of it: counters as rates per second, the rest as values. */
    ChartData explore(String name) {
        List<MetricSeries> series = telemetry.metrics().named(name);
        List<TimeLine> lines = new ArrayList<>();
        for (MetricSeries s : series) {
            boolean counter = s.kind() == MetricKind.COUNTER;
            lines.add(new TimeLine(s.key().label() + (counter ? " /s" : ""), counter ? s.rates() : s.values()));
        }
        return ChartAssembler.overTime(name, series.stream().anyMatch(s -> s.kind() == MetricKind.COUNTER) ? "/s" : "",
                lines, MAX_POINTS);
    }

    private ChartData rewardByVersion() {
        TreeMap<Long, Map<String, Double>> rows = new TreeMap<>();
        for (GenerationStats.VersionReward v : telemetry.generations().byVersion()) {
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("mean episode reward", v.meanReward());
            if (Double.isFinite(v.ci95())) {
                row.put("95% band low", v.meanReward() - v.ci95());
                row.put("95% band high", v.meanReward() + v.ci95());
            }
            rows.put(v.version(), row);
        }
        return ChartAssembler.overNumber(TITLES.get("rewardByVersion"), ChartData.VERSION, "",
                List.of("mean episode reward", "95% band low", "95% band high"), rows);
    }

    /**
     * The deployment log on the time axis: the champion's version after each decision, and a point at each promotion
     * and rollback (at the version it concerned).
     */
    private ChartData deployments() {
        List<MetricPoint> champion = new ArrayList<>();
        List<MetricPoint> promoted = new ArrayList<>();
        List<MetricPoint> rolledBack = new ArrayList<>();
        for (DeploymentHistory.Event e : telemetry.deployments().all()) {
            champion.add(new MetricPoint(e.decidedAtMillis(), e.champion()));
            if (e.action().equals("PROMOTED")) {
                promoted.add(new MetricPoint(e.decidedAtMillis(), e.version()));
            } else if (e.action().equals("ROLLED_BACK")) {
                rolledBack.add(new MetricPoint(e.decidedAtMillis(), e.version()));
            }
        }
        return ChartAssembler.overTime(TITLES.get("deployments"), "version", List.of(new TimeLine("champion", champion),
                new TimeLine("promoted", promoted), new TimeLine("rolled back", rolledBack)), MAX_POINTS);
    }

    private ChartData rewardOverTime() {
        List<MetricPoint> points = new ArrayList<>();
        for (GenerationStats.RewardBucket b : telemetry.generations().overTime()) {
            points.add(new MetricPoint(b.startMillis(), b.meanReward()));
        }
        return ChartAssembler.overTime(TITLES.get("rewardOverTime"), "",
                List.of(new TimeLine("mean episode reward", points)), MAX_POINTS);
    }

    /**
     * The held-out learning curve by model version. BLEU is drawn divided by 100 when it comes on the 0–100 scale
     * (as the scorer's BLEU does) so that it shares the 0–1 axis with ROUGE.
     */
    private ChartData heldOut() {
        TreeMap<Long, Map<String, Double>> rows = new TreeMap<>();
        MetricBoard board = telemetry.metrics();
        for (Map.Entry<String, String> metric : HELD_OUT.entrySet()) {
            List<MetricSeries> series = board.named(metric.getKey());
            boolean percent = metric.getKey().equals("eval.bleu")
                    && series.stream().anyMatch(s -> s.latest() != null && s.latest().value() > 1.0);
            for (MetricSeries s : series) {
                Long version = parseVersion(s.key().tag("version"));
                if (version != null && s.latest() != null) {
                    double v = s.latest().value();
                    rows.computeIfAbsent(version, k -> new LinkedHashMap<>()).put(metric.getValue(), percent ? v / 100 : v);
                }
            }
        }
        return ChartAssembler.overNumber(TITLES.get("heldOut"), ChartData.VERSION, "",
                new ArrayList<>(HELD_OUT.values()), rows);
    }

    private static Long parseVersion(String tag) {
        if (tag == null) {
            return null;
        }
        try {
            return Long.parseLong(tag.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private List<TimeLine> tokenRates() {
        List<TimeLine> tokens = rates("actor.tokens", "tokens/s ");
        // Until actors count tokens, every transition is one token.
        return tokens.isEmpty() ? rates("actor.transitions", "tokens/s ") : tokens;
    }

    private ChartData lagChart() {
        List<TimeLine> lines = new ArrayList<>();
        lag.history().forEach((group, points) -> lines.add(new TimeLine(group, points)));
        return ChartAssembler.overTime(TITLES.get("lag"), "records", lines, MAX_POINTS);
    }

    /** The lines on the chart's right-hand axis (their scale differs by orders of magnitude from the others'). */
    private static List<TimeLine> right(List<TimeLine> lines) {
        return lines.stream().map(TimeLine::onRightAxis).toList();
    }

    private List<TimeLine> values(String name, String prefix) {
        return lines(name, prefix, s -> true, false);
    }

    private List<TimeLine> rates(String name, String prefix) {
        return lines(name, prefix, s -> s.kind() == MetricKind.COUNTER, true);
    }

    /** The percentile statistics (p50, p99, ...) of a timer, one line per instance and percentile. */
    private List<TimeLine> percentiles(String name, String prefix) {
        return lines(name, prefix, s -> {
            String stat = s.key().tag("statistic");
            return stat != null && stat.startsWith("p");
        }, false);
    }

    private List<TimeLine> lines(String name, String prefix, Predicate<MetricSeries> filter, boolean rate) {
        List<TimeLine> out = new ArrayList<>();
        for (MetricSeries s : telemetry.metrics().named(name)) {
            if (filter.test(s)) {
                out.add(new TimeLine(prefix + s.key().label(), rate ? s.rates() : s.values()));
            }
        }
        return out;
    }

    @SafeVarargs
    private static ChartData time(String id, String unit, List<TimeLine>... groups) {
        List<TimeLine> lines = new ArrayList<>();
        for (List<TimeLine> g : groups) {
            lines.addAll(g);
        }
        return ChartAssembler.overTime(TITLES.get(id), unit, lines, MAX_POINTS);
    }

    private static Map<String, String> linked(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
