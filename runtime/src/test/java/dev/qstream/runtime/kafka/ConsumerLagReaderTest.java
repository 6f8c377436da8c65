package dev.qstream.runtime.kafka;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumerLagReaderTest {

    private static TopicPartition tp(String topic, int p) {
        return new TopicPartition(topic, p);
    }

    @Test
    void lagIsLatestMinusCommittedSummedPerTopicAndGroup() {
        Map<String, Map<TopicPartition, Long>> committed = Map.of(
                "qstream-learner", Map.of(tp("qstream.scored", 0), 90L, tp("qstream.scored", 1), 100L),
                "qstream-actors", Map.of(tp("qstream.prompts", 0), 10L, tp("qstream.prompts", 1), 5L));
        Map<TopicPartition, Long> latest = Map.of(tp("qstream.scored", 0), 100L, tp("qstream.scored", 1), 100L,
                tp("qstream.prompts", 0), 12L, tp("qstream.prompts", 1), 25L);
        List<GroupLag> lags = ConsumerLagReader.compute(committed, latest);
        assertThat(lags).extracting(GroupLag::group).containsExactly("qstream-actors", "qstream-learner");
        assertThat(lags.get(0).totalLag()).isEqualTo(2 + 20);
        assertThat(lags.get(0).lagByTopic()).isEqualTo(Map.of("qstream.prompts", 22L));
        assertThat(lags.get(1).totalLag()).isEqualTo(10);
        assertThat(lags.get(1).partitions()).isEqualTo(2);
    }

    @Test
    void aCommitAheadOfTheLatestOffsetIsNoLagAndUnknownPartitionsAreLeftOut() {
        Map<String, Map<TopicPartition, Long>> committed = Map.of(
                "g", Map.of(tp("qstream.scored", 0), 120L, tp("qstream.scored", 1), 3L),
                "gone", Map.of(tp("qstream.deleted", 0), 3L));
        Map<TopicPartition, Long> latest = Map.of(tp("qstream.scored", 0), 100L);
        List<GroupLag> lags = ConsumerLagReader.compute(committed, latest);
        assertThat(lags).singleElement().satisfies(g -> {
            assertThat(g.group()).isEqualTo("g");
            assertThat(g.totalLag()).isZero();
            assertThat(g.partitions()).isEqualTo(1);
        });
    }
}
