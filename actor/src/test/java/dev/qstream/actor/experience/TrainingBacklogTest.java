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

    private static TrainingBacklog.Reading reading(GroupLag... lags) {
        return new TrainingBacklog.Reading(List.of(lags), Map.of("q.transitions", 123_456L, "q.scored", 654_321L));
    }

    @Test
    void theBacklogIsEachListedGroupsLagOnItsTopicOnly() {
        TrainingBacklog.Reading r = reading(
                lag("q-scorer", Map.of("q.transitions", 700L, "q.feedback", 50L)),   // feedback lag is not training backlog
                lag("q-learner", Map.of("q.scored", 400L, "q.rewards.late", 9L)),
                lag("q-actors", Map.of("q.prompts", 10_000L)),                        // prompts waiting are not experience
                lag("archiver", Map.of("q.transitions", 99_999L)));                   // someone else's group
        assertThat(POLICY.backlog(r)).isEqualTo(1_100);
        assertThat(POLICY.topics()).containsExactlyInAnyOrder("q.transitions", "q.scored");
    }

    @Test
    void aGroupThatHasNotCommittedOnItsTopicOwesTheWholeTopic() {
        // Not started yet (no lag at all), or committed only elsewhere: it will read the topic from the earliest offset.
        assertThat(POLICY.backlog(reading(lag("q-learner", Map.of("q.scored", 400L))))).isEqualTo(123_456L + 400);
        assertThat(POLICY.backlog(reading(lag("q-scorer", Map.of("q.feedback", 3L)), lag("q-learner", Map.of("q.scored", 0L)))))
                .isEqualTo(123_456L);
        assertThat(POLICY.backlog(reading())).isEqualTo(123_456L + 654_321L);
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
        AtomicReference<List<GroupLag>> now = new AtomicReference<>(List.of(lag("q-scorer", Map.of("q.transitions", 2_000L)),
                lag("q-learner", Map.of("q.scored", 0L))));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainingBacklog backlog = new TrainingBacklog(POLICY, () -> reading(now.get().toArray(GroupLag[]::new)), registry);
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

        now.set(List.of(lag("q-scorer", Map.of("q.transitions", 10L)), lag("q-learner", Map.of("q.scored", 0L))));
        backlog.refresh();
        assertThat(backlog.keepShare()).isEqualTo(1.0);
        assertThat(backlog.keeps(UUID.randomUUID().toString())).isTrue();
    }

    @Test
    void whenTheBacklogCannotBeReadTheLastShareHolds() {
        AtomicReference<List<GroupLag>> now = new AtomicReference<>(List.of(lag("q-learner", Map.of("q.scored", 1_414L)),
                lag("q-scorer", Map.of("q.transitions", 0L))));
        TrainingBacklog backlog = new TrainingBacklog(POLICY, () -> {
            List<GroupLag> l = now.get();
            if (l == null) {
                throw new IllegalStateException("could not read consumer lag: timeout");
            }
            return reading(l.toArray(GroupLag[]::new));
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
