package dev.qstream.actor.experience;

import dev.qstream.runtime.kafka.GroupLag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingBacklogTest {

    private static final Map<String, String> LAG_OF = Map.of("q-scorer", "q.transitions", "q-learner", "q.scored");
    private static final TrainingBacklog.Policy POLICY = new TrainingBacklog.Policy(1_000, 0.05, Duration.ofSeconds(1), LAG_OF);

    private static GroupLag lag(String group, Map<String, Long> byTopic) {
        return new GroupLag(group, byTopic.values().stream().mapToLong(Long::longValue).sum(), byTopic, byTopic.size());
    }

    @Test
    void theBacklogIsTheScorersLagOnTransitionsPlusTheLearnersOnScoredOnly() {
        List<GroupLag> lags = List.of(
                lag("q-scorer", Map.of("q.transitions", 700L, "q.feedback", 50L)),   // feedback lag is not training backlog
                lag("q-learner", Map.of("q.scored", 400L, "q.rewards.late", 9L)),
                lag("q-actors", Map.of("q.prompts", 10_000L)),                        // prompts waiting are not experience
                lag("archiver", Map.of("q.transitions", 99_999L)));                   // someone else's group
        assertThat(POLICY.backlog(lags)).isEqualTo(1_100);
        assertThat(POLICY.backlog(List.of())).isZero();
    }

    @Test
    void everythingIsKeptUpToTheBoundThenAShareThatShrinksTheBacklogWithAFloor() {
        assertThat(POLICY.keepShare(0)).isEqualTo(1.0);
        assertThat(POLICY.keepShare(1_000)).isEqualTo(1.0);
        assertThat(POLICY.keepShare(2_000)).isEqualTo(0.25);
        assertThat(POLICY.keepShare(4_000)).isEqualTo(0.0625);
        assertThat(POLICY.keepShare(1_000_000)).isEqualTo(0.05);
        TrainingBacklog.Policy off = TrainingBacklog.Policy.unbounded();
        assertThat(off.bounded()).isFalse();
        assertThat(off.keepShare(Long.MAX_VALUE)).isEqualTo(1.0);
    }

    @Test
    void nonsensePoliciesAreRefused() {
        assertThatThrownBy(() -> new TrainingBacklog.Policy(-1, 0.05, Duration.ofSeconds(1), LAG_OF)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new TrainingBacklog.Policy(10, 0, Duration.ofSeconds(1), LAG_OF)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new TrainingBacklog.Policy(10, 1.5, Duration.ofSeconds(1), LAG_OF)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new TrainingBacklog.Policy(10, 0.1, Duration.ZERO, LAG_OF)).hasMessageContaining("positive");
    }

    @Test
    void theShareKeptMatchesTheShareAskedAndEachEpisodesFateIsFixed() {
        AtomicReference<List<GroupLag>> now = new AtomicReference<>(List.of(lag("q-scorer", Map.of("q.transitions", 2_000L))));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainingBacklog backlog = new TrainingBacklog(POLICY, now::get, registry);
        backlog.refresh();
        assertThat(backlog.backlog()).isEqualTo(2_000);
        assertThat(backlog.keepShare()).isEqualTo(0.25);
        assertThat(registry.get("actor.training.keep.share").gauge().value()).isEqualTo(0.25);
        assertThat(registry.get("actor.training.backlog").gauge().value()).isEqualTo(2_000);
        Random random = new Random(7);
        int kept = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String id = new UUID(random.nextLong(), random.nextLong()).toString();
            boolean first = backlog.keeps(id);
            assertThat(backlog.keeps(id)).isEqualTo(first);
            kept += first ? 1 : 0;
        }
        assertThat((double) kept / n).isBetween(0.23, 0.27);

        now.set(List.of(lag("q-scorer", Map.of("q.transitions", 10L))));
        backlog.refresh();
        assertThat(backlog.keepShare()).isEqualTo(1.0);
        assertThat(backlog.keeps(UUID.randomUUID().toString())).isTrue();
    }

    @Test
    void whenTheBacklogCannotBeReadTheLastShareHolds() {
        AtomicReference<List<GroupLag>> now = new AtomicReference<>(List.of(lag("q-learner", Map.of("q.scored", 1_414L))));
        TrainingBacklog backlog = new TrainingBacklog(POLICY, () -> {
            List<GroupLag> l = now.get();
            if (l == null) {
                throw new IllegalStateException("could not read consumer lag: timeout");
            }
            return l;
        }, new SimpleMeterRegistry());
        backlog.refresh();
        double share = backlog.keepShare();
        assertThat(share).isCloseTo(0.5, org.assertj.core.api.Assertions.within(0.001));
        now.set(null);
        backlog.refresh();
        assertThat(backlog.keepShare()).isEqualTo(share);
        assertThat(backlog.backlog()).isEqualTo(1_414);
    }
}
