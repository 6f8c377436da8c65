package dev.qstream.learner.deploy;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrialTallyTest {

    @Test
    void onlyTheTrialsTwoVersionsCountAndOnlyEpisodesThatEndedAfterItBegan() {
        TrialTally tally = new TrialTally();
        tally.observe(UUID.randomUUID(), 7, 0.5, 2_000); // no trial yet
        tally.open(5, 7, 1_000);
        tally.observe(UUID.randomUUID(), 7, 0.4, 1_500);
        tally.observe(UUID.randomUUID(), 7, 0.6, 1_600);
        tally.observe(UUID.randomUUID(), 5, 0.9, 1_700);
        tally.observe(UUID.randomUUID(), 5, 0.1, 999);   // the champion's, but before the trial: a different window of traffic
        tally.observe(UUID.randomUUID(), 6, 0.3, 1_800); // neither arm
        tally.observe(UUID.randomUUID(), 7, Double.NaN, 1_900);

        TrialTally.Arms arms = tally.arms(5, 7);
        assertThat(arms.challenger().count()).isEqualTo(2);
        assertThat(arms.challenger().mean()).isEqualTo(0.5);
        assertThat(arms.champion().count()).isEqualTo(1);
        assertThat(tally.arms(5, 8)).as("another trial is not this one").isNull();
    }

    @Test
    void anEpisodeCountsOnceAndACheckpointedTallyGoesOnWithoutCountingItAgain() {
        TrialTally tally = new TrialTally();
        tally.open(5, 7, 0);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        tally.observe(a, 7, 0.4, 10);
        tally.observe(a, 7, 0.4, 10); // read again (a restart re-reads from the checkpoint's offsets)
        tally.observe(b, 5, 0.8, 11);
        TrialTally.Snapshot saved = tally.snapshot();

        TrialTally restarted = new TrialTally();
        restarted.restore(saved);
        restarted.observe(a, 7, 0.4, 10);
        restarted.observe(b, 5, 0.8, 11);
        restarted.observe(UUID.randomUUID(), 7, 0.6, 12);
        TrialTally.Arms arms = restarted.arms(5, 7);
        assertThat(arms.challenger().count()).isEqualTo(2);
        assertThat(arms.challenger().mean()).isCloseTo(0.5, within(1e-12));
        assertThat(arms.champion().count()).isEqualTo(1);
        assertThat(new TrialTally().snapshot()).as("no trial, nothing to keep").isNull();
    }

    @Test
    void aNewTrialStartsFromNothingAndAClosedOneCountsNothing() {
        TrialTally tally = new TrialTally();
        tally.open(1, 2, 0);
        tally.observe(UUID.randomUUID(), 2, 1.0, 10);
        tally.open(2, 3, 20);
        tally.observe(UUID.randomUUID(), 2, 0.5, 30);
        assertThat(tally.arms(2, 3).champion().count()).isEqualTo(1);
        assertThat(tally.arms(2, 3).challenger().count()).isZero();
        tally.close();
        tally.observe(UUID.randomUUID(), 3, 0.5, 40);
        assertThat(tally.arms(2, 3)).isNull();
    }
}
