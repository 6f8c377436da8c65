package dev.qstream.console.observe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The first minute of a loop, told as it happens: which stage is still warming up (so a progress line can say why
 * nothing is scored or served yet), and when each milestone was first reached (first episode generated, first
 * transitions scored, first learner update, first version published, first version served by every actor).
 * Fed a {@link LoopSummary} now and then with the seconds since the loop started; not thread-safe.
 */
public final class LoopWarmUp {

    /** A milestone of the loop's start, in the order the loop reaches them. */
    public enum Milestone {
        GENERATED("first episodes generated"),
        SCORED("first transitions scored"),
        TRAINED("first learner update"),
        PUBLISHED("first model version published"),
        SERVED("a learned version served by every actor");

        private final String text;

        Milestone(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final long[] reachedAt = new long[Milestone.values().length];

    public LoopWarmUp() {
        Arrays.fill(reachedAt, -1);
    }

    /**
     * Records the milestones this summary shows reached for the first time.
     *
     * @return those milestones, in order (empty when nothing new)
     */
    public List<Milestone> observe(LoopSummary s, long seconds) {
        List<Milestone> now = new ArrayList<>();
        for (Milestone m : Milestone.values()) {
            if (reachedAt[m.ordinal()] < 0 && reached(m, s)) {
                reachedAt[m.ordinal()] = seconds;
                now.add(m);
            }
        }
        return now;
    }

    /** True once every milestone has been seen. */
    public boolean allReached() {
        return Arrays.stream(reachedAt).allMatch(at -> at >= 0);
    }

    /** Seconds after the start when the milestone was first seen; empty when not yet. */
    public OptionalLong reachedAt(Milestone m) {
        long at = reachedAt[m.ordinal()];
        return at < 0 ? OptionalLong.empty() : OptionalLong.of(at);
    }

    private static boolean reached(Milestone m, LoopSummary s) {
        return switch (m) {
            case GENERATED -> s.episodes() > 0;
            case SCORED -> s.scoredTransitions() > 0;
            // A published version implies an update, even when the learner's metrics have not arrived yet.
            case TRAINED -> s.learnerUpdates() > 0 || s.modelVersionPublished() > 0;
            case PUBLISHED -> s.modelVersionPublished() > 0;
            case SERVED -> !s.modelVersionsServed().isEmpty() && s.modelVersionsServed().values().stream().allMatch(v -> v > 0);
        };
    }

    /**
     * What the loop is waiting for, in words, or an empty string once every actor serves a learned version.
     * Each stage is named by what it is doing, so a first minute with zeros reads as progress, not as a hang.
     */
    public static String waitingFor(LoopSummary s) {
        if (s.episodes() == 0) {
            return "warming up: actors loading the model and waiting for prompts";
        }
        if (s.scoredTransitions() == 0) {
            return "warming up: scorer starting (exactly-once Streams joins its group, then scores the backlog)";
        }
        if (s.learnerUpdates() == 0) {
            return "warming up: learner filling its replay memory before the first update";
        }
        if (s.modelVersionPublished() == 0) {
            return "warming up: learner training towards its first published version";
        }
        if (!reached(Milestone.SERVED, s)) {
            return "warming up: actors verifying and swapping in v" + s.modelVersionPublished();
        }
        return "";
    }
}
