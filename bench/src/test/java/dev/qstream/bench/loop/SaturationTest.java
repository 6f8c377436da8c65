package dev.qstream.bench.loop;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SaturationTest {

    private final Saturation saturation = new Saturation(Saturation.Thresholds.defaults());

    /** A step that kept up: everything out that came in, lags steady, the learner ingesting. */
    private static StepFigures keptUp(double rate) {
        return new Builder(rate).build();
    }

    @Test
    void aStepWhereEveryStageKeepsPaceIsSustainable() {
        assertThat(saturation.judge(keptUp(50))).isEmpty();
    }

    @Test
    void aScorerThatFallsBehindIsNamedWithItsLagGrowth() {
        StepFigures f = new Builder(200).scorerLag(6.0, 8.0).build();
        assertThat(saturation.judge(f)).extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.SCORER);
        assertThat(saturation.judge(f).get(0).reason()).contains("grew by 8.0 s");
    }

    @Test
    void lagWobbleWithinNoiseIsNotABuildUp() {
        // 1.5 s up on a 6 s lag: under both the 2 s floor and a quarter of the starting lag
        assertThat(saturation.judge(new Builder(100).scorerLag(6.0, 1.5).build())).isEmpty();
        // 3 s up on a 20 s lag: over the floor but under a quarter of where it started
        assertThat(saturation.judge(new Builder(100).scorerLag(20.0, 3.0).build())).isEmpty();
    }

    @Test
    void aBurstMoreOrLessInTheWindowIsNotAShortfall() {
        // The scorer's 5 s punctuation bursts: 5 or 6 of them in a 27 s window, ±10% of what was due.
        assertThat(saturation.judge(new Builder(100).scored(0.91).build())).isEmpty();
        assertThat(saturation.judge(new Builder(100).scored(1.11).build())).isEmpty();
    }

    @Test
    void scoringFewerTransitionsThanProducedSaturatesTheScorer() {
        StepFigures f = new Builder(400).scored(0.5).build();
        assertThat(saturation.judge(f)).extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.SCORER);
    }

    @Test
    void theScorerIsJudgedOnWhatWasDueNotOnWhatTheActorsProduceAfterARateStep() {
        // The rate just doubled: the window's scored records were produced a lag earlier, at the old rate.
        assertThat(saturation.judge(new Builder(200).scored(0.5).due(0.5).build())).isEmpty();
        assertThat(saturation.judge(new Builder(200).scored(0.35).due(0.5).build()))
                .extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.SCORER);
    }

    @Test
    void actorsThatSampleOutEpisodesMeanTheScorerIsOverItsBacklogBound() {
        StepFigures f = new Builder(200).keepShare(0.4).build();
        assertThat(saturation.judge(f)).extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.SCORER);
    }

    @Test
    void stagesAreNamedInLoopOrderSoTheFirstIsClosestToTheTraffic() {
        StepFigures f = new Builder(400).answered(0.6).scored(0.5).paused(0.9).build();
        assertThat(saturation.judge(f)).extracting(Saturation.Finding::stage)
                .containsExactly(Saturation.Stage.ACTOR, Saturation.Stage.SCORER, Saturation.Stage.LEARNER);
    }

    @Test
    void actorsThatAnswerFewerPromptsThanSentAreSaturated() {
        assertThat(saturation.judge(new Builder(400).answered(0.5).build())).extracting(Saturation.Finding::stage)
                .containsExactly(Saturation.Stage.ACTOR);
    }

    @Test
    void aPromptLagThatBuildsUpSaturatesTheActor() {
        StepFigures f = new Builder(200).actorLag(0.1, 5.0).build();
        assertThat(saturation.judge(f)).extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.ACTOR);
    }

    @Test
    void aLearnerPausedMostOfTheWindowIsSaturated() {
        assertThat(saturation.judge(new Builder(100).paused(0.8).build())).extracting(Saturation.Finding::stage)
                .containsExactly(Saturation.Stage.LEARNER);
        assertThat(saturation.judge(new Builder(100).paused(0.2).build())).isEmpty();
    }

    @Test
    void aLearnerThatTrainsFarBelowItsReplayRatioIsSaturated() {
        // up's learner trains 4 samples per insert; one that ingests everything but trains 1.8 has fallen behind.
        List<Saturation.Finding> found = saturation.judge(new Builder(240).samplesPerInsert(1.82).build());
        assertThat(found).extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.LEARNER);
        assertThat(found.get(0).reason()).contains("1.82 samples per insert");
        assertThat(saturation.judge(new Builder(100).samplesPerInsert(3.5).build())).isEmpty();
    }

    @Test
    void nothingScoredAtAllIsASaturatedScorerNotASustainableStep() {
        StepFigures f = new Builder(100).scored(0).noScorerLag().build();
        assertThat(saturation.judge(f)).extracting(Saturation.Finding::stage).containsExactly(Saturation.Stage.SCORER);
    }

    @Test
    void theHighestSustainableRateStopsAtTheFirstStepThatDidNotKeepUp() {
        List<StepFigures> steps = List.of(keptUp(25), keptUp(50), keptUp(100), keptUp(200));
        List<Saturation.Finding> scorer = List.of(new Saturation.Finding(Saturation.Stage.SCORER, "behind"));
        // 200 kept up again, but after the backlog left by 100: it does not count
        assertThat(Saturation.highestSustainable(steps, List.of(List.of(), List.of(), scorer, List.of()))).isEqualTo(50);
        assertThat(Saturation.highestSustainable(steps, List.of(List.of(), List.of(), List.of(), List.of()))).isEqualTo(200);
        assertThat(Saturation.highestSustainable(steps, List.of(scorer, List.of(), List.of(), List.of()))).isNaN();
    }

    /** Figures of a step at a rate, 20 transitions per prompt, changed one aspect at a time. */
    private static final class Builder {
        final double rate;
        double answered = 1;
        double scored = 1;
        double due = 1;
        double scorerLagFirst = 6;
        double scorerLagGrowth = 0.2;
        double actorLagFirst = 0.1;
        double actorLagGrowth = 0.0;
        double keepShare = 1;
        double paused = 0;
        double samplesPerInsert = 4;

        Builder(double rate) {
            this.rate = rate;
        }

        Builder answered(double share) {
            answered = share;
            return this;
        }

        Builder scored(double share) {
            scored = share;
            return this;
        }

        Builder due(double share) {
            due = share;
            return this;
        }

        Builder scorerLag(double first, double growth) {
            scorerLagFirst = first;
            scorerLagGrowth = growth;
            return this;
        }

        Builder noScorerLag() {
            scorerLagFirst = Double.NaN;
            scorerLagGrowth = Double.NaN;
            return this;
        }

        Builder actorLag(double first, double growth) {
            actorLagFirst = first;
            actorLagGrowth = growth;
            return this;
        }

        Builder keepShare(double share) {
            keepShare = share;
            return this;
        }

        Builder paused(double share) {
            paused = share;
            return this;
        }

        Builder samplesPerInsert(double ratio) {
            samplesPerInsert = ratio;
            return this;
        }

        StepFigures build() {
            double transitions = rate * 20;
            return new StepFigures(rate, rate, rate * answered, transitions, transitions * scored, transitions * due,
                    scorerLagFirst, scorerLagFirst + scorerLagGrowth, scorerLagFirst, scorerLagGrowth,
                    actorLagFirst + actorLagGrowth, actorLagFirst, actorLagGrowth, 20, 40, keepShare,
                    transitions * samplesPerInsert, transitions, samplesPerInsert, paused, 3, 20, 40);
        }
    }
}
