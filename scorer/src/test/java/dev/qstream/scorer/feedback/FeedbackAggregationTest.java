package dev.qstream.scorer.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FeedbackAggregationTest {

    private static final UUID EPISODE = UUID.fromString("00000000-0000-0000-0000-0000000000e1");

    static Feedback feedback(String id, double value, long givenAt) {
        return Feedback.newBuilder().setFeedbackId(UUID.fromString("00000000-0000-0000-0000-" + id))
                .setEpisodeId(EPISODE).setKind(FeedbackKind.RATING).setValue(value).setSource("test")
                .setCreatedAt(Instant.ofEpochMilli(givenAt)).build();
    }

    private final List<Feedback> events = List.of(
            feedback("000000000003", 0.5, 3000),
            feedback("000000000001", -0.5, 1000),
            feedback("000000000002", 1.0, 2000));

    @Test
    void eachModeOnTheSameEvents() {
        assertThat(FeedbackAggregation.EARLIEST.aggregate(events)).isEqualTo(-0.5);
        assertThat(FeedbackAggregation.LATEST.aggregate(events)).isEqualTo(0.5);
        assertThat(FeedbackAggregation.MEAN.aggregate(events)).isEqualTo((-0.5 + 1.0 + 0.5) / 3);
        assertThat(FeedbackAggregation.MIN.aggregate(events)).isEqualTo(-0.5);
        assertThat(FeedbackAggregation.MAX.aggregate(events)).isEqualTo(1.0);
        assertThat(FeedbackAggregation.SUM.aggregate(events)).isEqualTo(1.0); // -0.5 + 1.0 + 0.5, on the clip bound
    }

    @Test
    void sumIsClippedToTheHumanScale() {
        List<Feedback> ups = List.of(feedback("000000000001", 1, 1), feedback("000000000002", 1, 2), feedback("000000000003", 0.5, 3));
        assertThat(FeedbackAggregation.SUM.aggregate(ups)).isEqualTo(1.0);
        List<Feedback> downs = List.of(feedback("000000000001", -1, 1), feedback("000000000002", -0.75, 2));
        assertThat(FeedbackAggregation.SUM.aggregate(downs)).isEqualTo(-1.0);
        List<Feedback> mixed = List.of(feedback("000000000001", 0.25, 1), feedback("000000000002", 0.5, 2));
        assertThat(FeedbackAggregation.SUM.aggregate(mixed)).isEqualTo(0.75);
    }

    @Test
    void arrivalOrderNeverChangesTheResultAndTiesGoByFeedbackId() {
        List<Feedback> tied = new ArrayList<>(List.of(feedback("00000000000b", 0.1, 500), feedback("00000000000a", 0.3, 500),
                feedback("00000000000c", 0.7, 500)));
        for (int i = 0; i < 6; i++) {
            Collections.rotate(tied, 1);
            if (i == 3) {
                Collections.reverse(tied);
            }
            assertThat(FeedbackAggregation.EARLIEST.aggregate(tied)).isEqualTo(0.3);
            assertThat(FeedbackAggregation.LATEST.aggregate(tied)).isEqualTo(0.7);
            assertThat(FeedbackAggregation.MEAN.aggregate(tied)).isEqualTo(FeedbackAggregation.MEAN.aggregate(
                    List.of(feedback("00000000000a", 0.3, 500), feedback("00000000000b", 0.1, 500), feedback("00000000000c", 0.7, 500))));
        }
    }

    @Test
    void noEventMeansNoValue() {
        for (FeedbackAggregation mode : FeedbackAggregation.values()) {
            assertThat(mode.aggregate(List.of())).isNull();
        }
    }

    @Test
    void configRejectsNonsense() {
        assertThat(FeedbackConfig.defaults().hold()).isEqualTo(Duration.ofMinutes(11));
        assertThatThrownBy(() -> FeedbackConfig.defaults().withWindow(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeedbackConfig.defaults().withGrace(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeedbackConfig.defaults().withRetention(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
