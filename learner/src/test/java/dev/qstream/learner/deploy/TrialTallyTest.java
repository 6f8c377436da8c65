package dev.qstream.learner.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrialTallyTest {

    @Test
    void onlyTheTrialsTwoVersionsCountAndOnlyEpisodesThatEndedAfterItBegan() {
        TrialTally tally = new TrialTally();
        tally.observe(7, 0.5, 2_000); // no trial yet
        tally.open(5, 7, 1_000);
        tally.observe(7, 0.4, 1_500);
        tally.observe(7, 0.6, 1_600);
        tally.observe(5, 0.9, 1_700);
        tally.observe(5, 0.1, 999);   // the champion's, but before the trial: a different window of traffic
        tally.observe(6, 0.3, 1_800); // neither arm
        tally.observe(7, Double.NaN, 1_900);

        TrialTally.Arms arms = tally.arms(5, 7);
        assertThat(arms.challenger().count()).isEqualTo(2);
        assertThat(arms.challenger().mean()).isEqualTo(0.5);
        assertThat(arms.champion().count()).isEqualTo(1);
        assertThat(tally.arms(5, 8)).as("another trial is not this one").isNull();
    }

    @Test
    void aNewTrialStartsFromNothingAndAClosedOneCountsNothing() {
        TrialTally tally = new TrialTally();
        tally.open(1, 2, 0);
        tally.observe(2, 1.0, 10);
        tally.open(2, 3, 20);
        tally.observe(2, 0.5, 30);
        assertThat(tally.arms(2, 3).champion().count()).isEqualTo(1);
        assertThat(tally.arms(2, 3).challenger().count()).isZero();
        tally.close();
        tally.observe(3, 0.5, 40);
        assertThat(tally.arms(2, 3)).isNull();
    }
}
