package dev.qstream.console.observe;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LoopWarmUpTest {

    private static LoopSummary summary(long episodes, long scored, long updates, long published, Map<String, Long> served) {
        return new LoopSummary(episodes, episodes * 10, scored, updates, published, served, 0, 0, 0, 0, 0, 0, 0, 0, LoopSummary.Deployment.NONE);
    }

    @Test
    void eachStageIsNamedWhileItWarmsUpAndNothingOnceEveryActorServesALearnedVersion() {
        assertThat(LoopWarmUp.waitingFor(summary(0, 0, 0, 0, Map.of()))).contains("actors loading");
        assertThat(LoopWarmUp.waitingFor(summary(5, 0, 0, 0, Map.of("actor-1", 0L)))).contains("scorer starting");
        assertThat(LoopWarmUp.waitingFor(summary(5, 40, 0, 0, Map.of("actor-1", 0L)))).contains("replay memory");
        assertThat(LoopWarmUp.waitingFor(summary(5, 40, 3, 0, Map.of("actor-1", 0L)))).contains("first published version");
        assertThat(LoopWarmUp.waitingFor(summary(5, 40, 3, 2, Map.of("actor-1", 2L, "actor-2", 0L)))).contains("swapping in v2");
        assertThat(LoopWarmUp.waitingFor(summary(5, 40, 3, 2, Map.of("actor-1", 2L, "actor-2", 1L)))).isEmpty();
    }

    @Test
    void milestonesAreReportedOnceWithTheSecondTheyWereFirstSeen() {
        LoopWarmUp warmUp = new LoopWarmUp();
        assertThat(warmUp.observe(summary(0, 0, 0, 0, Map.of()), 2)).isEmpty();
        assertThat(warmUp.observe(summary(9, 0, 0, 0, Map.of("a", 0L)), 5)).containsExactly(LoopWarmUp.Milestone.GENERATED);
        assertThat(warmUp.observe(summary(20, 100, 4, 1, Map.of("a", 0L)), 17)).containsExactly(
                LoopWarmUp.Milestone.SCORED, LoopWarmUp.Milestone.TRAINED, LoopWarmUp.Milestone.PUBLISHED);
        assertThat(warmUp.observe(summary(30, 200, 9, 2, Map.of("a", 2L)), 23)).containsExactly(LoopWarmUp.Milestone.SERVED);
        assertThat(warmUp.observe(summary(40, 300, 19, 3, Map.of("a", 3L)), 29)).isEmpty();
        assertThat(warmUp.reachedAt(LoopWarmUp.Milestone.SCORED)).hasValue(17);
        assertThat(warmUp.reachedAt(LoopWarmUp.Milestone.SERVED)).hasValue(23);
    }

    @Test
    void aPublishedVersionMeansTheLearnerHasTrainedEvenBeforeItsMetricsArrive() {
        LoopWarmUp warmUp = new LoopWarmUp();
        assertThat(warmUp.observe(summary(9, 50, 0, 1, Map.of("a", 0L)), 16)).containsExactly(LoopWarmUp.Milestone.GENERATED,
                LoopWarmUp.Milestone.SCORED, LoopWarmUp.Milestone.TRAINED, LoopWarmUp.Milestone.PUBLISHED);
    }

    @Test
    void aMilestoneNotReachedHasNoTime() {
        assertThat(new LoopWarmUp().reachedAt(LoopWarmUp.Milestone.SERVED)).isEmpty();
    }
}
