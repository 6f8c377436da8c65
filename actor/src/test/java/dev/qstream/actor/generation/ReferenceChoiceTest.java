package dev.qstream.actor.generation;

import dev.qstream.policy.text.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReferenceChoiceTest {

    private static final List<String> REFERENCES = List.of(
            "Alimentum is a family friendly place in the city centre.",
            "In the city centre, Alimentum is a family friendly place.",
            "Alimentum is in the city centre and is family friendly.",
            "Kids are welcome at this riverside-adjacent spot, a favourite of ours.");

    @Test
    void centralPicksTheReferenceClosestToTheOthersEveryTime() {
        SplittableRandom random = new SplittableRandom(1);
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            picked.add(ReferenceChoice.CENTRAL.pick(REFERENCES, new Tokenizer(), random));
        }
        assertThat(picked).hasSize(1);
        assertThat(picked.iterator().next()).isNotEqualTo(REFERENCES.get(3)); // the outlier is never the centre
    }

    @Test
    void randomPicksEveryReferenceSometimesAndNothingComesFromNothing() {
        SplittableRandom random = new SplittableRandom(1);
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            picked.add(ReferenceChoice.RANDOM.pick(REFERENCES, new Tokenizer(), random));
        }
        assertThat(picked).containsExactlyInAnyOrderElementsOf(REFERENCES);
        assertThatThrownBy(() -> ReferenceChoice.CENTRAL.pick(List.of(), new Tokenizer(), random))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
