package dev.qstream.console.report;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static dev.qstream.console.telemetry.TelemetryFixtures.episode;
import static dev.qstream.console.telemetry.TelemetryFixtures.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningCurveTest {

    /** Ten minutes of a loop that learns: reward rises, updates grow 10/s, an evaluation every two minutes. */
    private static LearningCurve learningLoop() {
        LearningCurve curve = new LearningCurve(10_000);
        long t0 = 1_700_000_000_000L;
        for (int s = 0; s <= 600; s += 5) {
            curve.accept(metric("learner", "learner-1", "learner.updates", MetricKind.COUNTER, s * 10.0, t0 + s * 1000L));
        }
        for (int s = 0; s < 600; s++) {
            curve.accept(episode(UUID.randomUUID(), s / 60, 0.1 + 0.5 * s / 600.0, t0 + s * 1000L));
            curve.accept(episode(UUID.randomUUID(), s / 60, null, t0 + s * 1000L)); // unscored copies do not count
            Episode demonstration = episode(UUID.randomUUID(), 0, 1.0, t0 + s * 1000L);
            demonstration.setExploration(ExplorationStrategy.DEMONSTRATION);
            curve.accept(demonstration); // a reference said by the teacher is not the policy's reward
        }
        for (int v = 1; v <= 5; v++) {
            curve.accept(metric("evaluator", "evaluator-1", "eval.rougeL.f", MetricKind.GAUGE, 0.1 * v, t0 + v * 120_000L,
                    "version", String.valueOf(v * 2)));
        }
        return curve;
    }

    @Test
    void rewardsAndEvaluationsLineUpAgainstTimeAndUpdates() {
        LearningCurve curve = learningLoop();
        assertThat(curve.episodes()).isEqualTo(600);
        assertThat(curve.evaluations()).isEqualTo(5);
        LearningCurve.Curve byTime = curve.rewardOverTime(1000);
        assertThat(byTime.size()).isEqualTo(60);
        assertThat(byTime.x()[0]).isCloseTo(5 / 60.0, within(0.05));
        assertThat(byTime.y()[59]).isGreaterThan(byTime.y()[0] + 0.4);
        LearningCurve.Curve byUpdates = curve.rewardOverUpdates(1000);
        assertThat(byUpdates.x()[1] - byUpdates.x()[0]).isCloseTo(100, within(1e-6)); // 10 s buckets at 10 updates/s
        LearningCurve.Curve heldOut = curve.heldOutOverUpdates();
        assertThat(heldOut.x()).containsExactly(1200, 2400, 3600, 4800, 6000);
        assertThat(heldOut.y()[4]).isCloseTo(0.5, within(1e-9));
        assertThat(curve.firstAndLastTenthMeanReward()[1]).isGreaterThan(curve.firstAndLastTenthMeanReward()[0]);
        assertThat(curve.rewardOverTime(20).size()).isEqualTo(20);
    }

    @Test
    void updatesAreInterpolatedBetweenSamplesAndZeroBeforeTheFirst() {
        LearningCurve curve = new LearningCurve(1_000);
        curve.accept(metric("learner", "l", "learner.updates", MetricKind.COUNTER, 100, 10_000));
        curve.accept(metric("learner", "l", "learner.updates", MetricKind.COUNTER, 200, 20_000));
        assertThat(curve.updatesAt(5_000)).isZero();
        assertThat(curve.updatesAt(15_000)).isEqualTo(150);
        assertThat(curve.updatesAt(30_000)).isEqualTo(200);
        assertThat(new LearningCurve(1_000).updatesAt(1)).isNaN();
    }

    @Test
    void drawsAPngWithBothPanels(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("learning.png");
        LearningCurvePlot.write(learningLoop(), png, "test loop");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(2 * LearningCurvePlot.PANEL_WIDTH);
        assertThat(image.getHeight()).isEqualTo(LearningCurvePlot.PANEL_HEIGHT);
        // Not a blank canvas: the reward line's colour is drawn in both panels.
        int reward = new Color(31, 119, 180).getRGB();
        int left = 0;
        int right = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                if (image.getRGB(x, y) == reward) {
                    if (x < LearningCurvePlot.PANEL_WIDTH) {
                        left++;
                    } else {
                        right++;
                    }
                }
            }
        }
        assertThat(left).isGreaterThan(100);
        assertThat(right).isGreaterThan(100);
    }

    @Test
    void nothingToPlotOrAWrongSuffixIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> LearningCurvePlot.write(new LearningCurve(1_000), dir.resolve("x.png"), "t"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to plot");
        assertThatThrownBy(() -> LearningCurvePlot.write(learningLoop(), dir.resolve("x.jpg"), "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end in .png");
        assertThat(Files.exists(dir.resolve("x.png"))).isFalse();
    }
}
