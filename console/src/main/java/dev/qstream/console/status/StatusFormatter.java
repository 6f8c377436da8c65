package dev.qstream.console.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.console.telemetry.DeadLetterLog;
import dev.qstream.console.telemetry.DeploymentHistory;
import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.console.telemetry.InstanceState;
import dev.qstream.console.telemetry.LoopHealth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@link LoopHealth} as one screen of text, or as one JSON object. */
public final class StatusFormatter {

    private StatusFormatter() {
    }

    public static String json(LoopHealth health) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode node = mapper.valueToTree(health);
        node.put("instancesUp", health.instancesUp());
        node.put("instancesDown", health.instancesDown());
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(LoopHealth h, String cluster) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("qstream status · %s · topics read over the last %s", cluster, duration(h.windowSeconds())));
        String published = h.publishedVersion() == null ? "none yet"
                : "v" + h.publishedVersion() + (h.publishedAtMillis() == null ? ""
                : " (" + duration(Math.max(0, h.generatedAtMillis() - h.publishedAtMillis()) / 1000) + " ago)");
        List<String> served = new ArrayList<>();
        h.servedVersions().forEach((actor, v) -> served.add(actor + " v" + v));
        lines.add(row("model", "published " + published, "served " + (served.isEmpty() ? "–" : String.join(", ", served))));
        lines.add(row("deployment", deployment(h)));
        lines.add(row("learner", "updates " + num(h.learnerUpdates()), num(h.updatesPerSecond()) + " updates/s",
                num(h.samplesPerSecond()) + " samples/s", "replay " + num(h.replaySize()), "loss " + num(h.loss()),
                "policy lag " + num(h.policyLag()) + " versions"));
        lines.add(row("traffic", num(h.episodesPerSecond()) + " episodes/s", num(h.tokensPerSecond()) + " tokens/s",
                "scored " + num(h.scoredEpisodesPerSecond()) + " episodes/s"));
        lines.add(row("reward", "mean over the last minute " + num(h.meanRewardLastMinute()),
                h.scoredEpisodes() + " scored episodes in the window",
                h.heldOut() == null ? "held-out ROUGE-L: none yet"
                        : "held-out ROUGE-L F " + num(h.heldOut().rougeL()) + " @ v" + h.heldOut().version()));
        List<String> lag = new ArrayList<>();
        for (GroupLag g : h.lag()) {
            lag.add(g.group() + " " + String.format(Locale.ROOT, "%,d", g.totalLag()));
        }
        lines.add(row("lag", h.lagError() != null ? "unavailable: " + h.lagError() : lag.isEmpty() ? "no consumer groups yet" : String.join(" · ", lag)));
        List<String> dead = new ArrayList<>();
        for (DeadLetterLog.Count c : h.deadLetterCounts()) {
            dead.add(c.sourceTopic() + " " + c.reason() + " " + c.count());
        }
        lines.add(row("dead letters", h.deadLetters() + " in the window" + (dead.isEmpty() ? "" : ": " + String.join(", ", dead))));
        List<String> instances = new ArrayList<>();
        for (InstanceState i : h.instances()) {
            instances.add(i.source() + "/" + i.instanceId() + (i.up() ? " up" : " DOWN (silent " + duration(i.silentMillis() / 1000) + ")"));
        }
        lines.add(row("instances", h.instancesUp() + " up, " + h.instancesDown() + " down"
                + (instances.isEmpty() ? "" : ": " + String.join(", ", instances))));
        return String.join("\n", lines) + "\n";
    }

    /** Who serves (champion, challenger and its share) and the last decision, or that no gate holds traffic. */
    static String deployment(LoopHealth h) {
        DeploymentHistory.Serving s = h.deployment();
        DeploymentHistory.Event last = h.lastDecision();
        String serving = s == null || !s.gated() ? "no gate: every new version serves all traffic"
                : "champion v" + s.champion() + (s.challenger() == null ? " serves all traffic"
                : " · challenger v" + s.challenger() + " on " + num(s.canaryFraction() * 100) + "% of episodes");
        if (last == null) {
            return serving;
        }
        return serving + " · last: " + last.action() + " v" + last.version() + " by " + last.decidedBy() + ", "
                + duration(Math.max(0, h.generatedAtMillis() - last.decidedAtMillis()) / 1000) + " ago";
    }

    private static String row(String label, String... parts) {
        return String.format("%-13s", label) + String.join(" · ", parts);
    }

    static String num(Double v) {
        if (v == null) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.1f", v).replaceAll("\\.0$", "");
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String duration(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return (seconds / 60) + " min";
        }
        return (seconds / 3600) + " h";
    }
}
