package dev.qstream.evaluator.ope;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.ScoredTransition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Only episodes read from step 0 to their done step reach the estimators; the rest are counted. */
class EpisodeGrouperTest {

    private static List<ScoredTransition> episode(int steps) {
        int[] actions = new int[steps];
        double[] mu = new double[steps];
        double[] rewards = new double[steps];
        for (int t = 0; t < steps; t++) {
            actions[t] = 3 + t;
            mu[t] = 1;
        }
        return ScoredEpisodes.episode(UUID.randomUUID(), 1, ExplorationStrategy.GREEDY, List.of(3), null, actions, mu, rewards, 0L);
    }

    @Test
    void interleavedCompleteEpisodesPassAndTruncatedOnesAreCounted() {
        List<List<ScoredTransition>> complete = new ArrayList<>();
        EpisodeGrouper grouper = new EpisodeGrouper(complete::add);
        List<ScoredTransition> a = episode(3);
        List<ScoredTransition> b = episode(2);
        List<ScoredTransition> startedBeforeTheRange = episode(3).subList(1, 3);
        List<ScoredTransition> endsAfterTheRange = episode(3).subList(0, 2);
        grouper.add(a.get(0));
        grouper.add(startedBeforeTheRange.get(0));
        grouper.add(b.get(0));
        grouper.add(a.get(1));
        grouper.add(a.get(1)); // a repeated step is ignored
        grouper.add(endsAfterTheRange.get(0));
        grouper.add(b.get(1));
        grouper.add(startedBeforeTheRange.get(1));
        grouper.add(endsAfterTheRange.get(1));
        grouper.add(a.get(2));
        grouper.finish();
        assertThat(complete).containsExactly(b, a);
        assertThat(grouper.incomplete()).isEqualTo(2);
    }
}
