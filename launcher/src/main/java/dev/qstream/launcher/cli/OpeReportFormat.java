package dev.qstream.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.evaluator.ope.Estimate;
import dev.qstream.evaluator.ope.OffPolicyReport;

import java.time.Instant;
import java.util.Locale;

/** The report of {@code qstream ope} as a small table for people and as JSON for scripts. */
final class OpeReportFormat {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OpeReportFormat() {
    }

    static String text(OffPolicyReport r, String modelName, String scoredTopic) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "off-policy evaluation of %s version %d: epsilon-greedy (epsilon %s), gamma %s, ratios clipped at %s%n",
                modelName, r.candidateVersion(), r.epsilon(), r.settings().gamma(), r.settings().maxRatio()));
        b.append(String.format(Locale.ROOT, "%s %s: %d episodes used; left out: %d incomplete, %d demonstrations, %d bad records%n%n",
                scoredTopic, r.range(), r.episodesUsed(), r.incompleteEpisodes(), r.demonstrations(), r.badRecords()));
        b.append(String.format(Locale.ROOT, "%-24s %9s   %-22s %9s %9s%n", "estimate", "value", "95% CI (normal approx.)", "ESS", "episodes"));
        row(b, "behaviour (logged)", r.behaviour());
        row(b, "candidate, PDIS", r.perDecisionIs());
        row(b, "candidate, DR", r.doublyRobust());
        r.candidateOnPolicy().ifPresent(e -> row(b, "candidate, on-policy", e));
        b.append(String.format(Locale.ROOT, "%nratios cut by the clip: %.1f%% of steps. ", 100 * r.clipRate()));
        b.append("An ESS far below the episodes used means a few episodes carry the estimate: trust its interval less.\n");
        if (r.candidateOnPolicy().isPresent()) {
            b.append("'candidate, on-policy' is the mean return of the episodes this version served itself: the check on PDIS and DR.\n");
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Estimate e) {
        String ci = Double.isFinite(e.standardError())
                ? String.format(Locale.ROOT, "[%.4f, %.4f]", e.ciLow(), e.ciHigh()) : "n/a (one episode)";
        b.append(String.format(Locale.ROOT, "%-24s %9.4f   %-22s %9.1f %9d%n", name, e.value(), ci, e.effectiveSampleSize(), e.episodes()));
    }

    static String json(OffPolicyReport r, String modelName) throws com.fasterxml.jackson.core.JsonProcessingException {
        ObjectNode o = JSON.createObjectNode();
        o.put("modelName", modelName);
        o.put("candidateVersion", r.candidateVersion());
        o.put("epsilon", r.epsilon());
        o.put("gamma", r.settings().gamma());
        number(o, "clip", r.settings().maxRatio());
        o.put("from", r.range().from().map(Instant::toString).orElse(null));
        o.put("to", r.range().to().map(Instant::toString).orElse(null));
        ObjectNode episodes = o.putObject("episodes");
        episodes.put("used", r.episodesUsed());
        episodes.put("incomplete", r.incompleteEpisodes());
        episodes.put("demonstrations", r.demonstrations());
        episodes.put("badRecords", r.badRecords());
        estimate(o.putObject("behaviour"), r.behaviour());
        estimate(o.putObject("pdis"), r.perDecisionIs());
        estimate(o.putObject("doublyRobust"), r.doublyRobust());
        number(o, "clipRate", r.clipRate());
        if (r.candidateOnPolicy().isPresent()) {
            estimate(o.putObject("candidateOnPolicy"), r.candidateOnPolicy().get());
        } else {
            o.putNull("candidateOnPolicy");
        }
        return JSON.writeValueAsString(o);
    }

    private static void estimate(ObjectNode o, Estimate e) {
        number(o, "value", e.value());
        number(o, "standardError", e.standardError());
        ArrayNode ci = o.putArray("ci95");
        if (Double.isFinite(e.standardError())) {
            ci.add(e.ciLow()).add(e.ciHigh());
        }
        number(o, "ess", e.effectiveSampleSize());
        o.put("episodes", e.episodes());
    }

    /** JSON has no NaN or Infinity: those become null. */
    private static void number(ObjectNode o, String field, double x) {
        if (Double.isFinite(x)) {
            o.put(field, x);
        } else {
            o.putNull(field);
        }
    }
}
