package dev.qstream.tasks.simulator;

import dev.qstream.tasks.TaskPrompt;
import dev.qstream.scorer.similarity.RougeScorer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RaterPreferenceTest {

    private final RougeScorer rouge = new RougeScorer(false);
    private final TaskPrompt prompt = new TaskPrompt("p1", "name: Alba | food: pizza | area: riverside",
            List.of("alba serves pizza by the riverside", "by the riverside alba serves pizza"), TaskPrompt.Split.TRAIN);

    @Test
    void aReferenceIsLovedAndAnUnrelatedTextIsNot() {
        assertThat(RaterPreference.opinion(prompt, "alba serves pizza by the riverside", rouge)).isCloseTo(1.0, within(1e-9));
        assertThat(RaterPreference.opinion(prompt, "the weather is cold today", rouge)).isLessThan(-0.4);
    }

    @Test
    void repetitionAndRamblingCostEvenWithTheSameWordsCovered() {
        double clean = RaterPreference.opinion(prompt, "alba serves pizza by the riverside", rouge);
        double repeated = RaterPreference.opinion(prompt, "alba serves pizza alba serves pizza by the riverside", rouge);
        double rambling = RaterPreference.opinion(prompt,
                "alba serves pizza by the riverside and it is a place where many people go often", rouge);
        assertThat(repeated).isLessThan(clean - 0.2);
        assertThat(rambling).isLessThan(clean - 0.4);
    }

    @Test
    void anUnknownPromptOrAnEmptyTextStillGivesAnOpinionInRange() {
        assertThat(RaterPreference.opinion(null, "some words here", rouge)).isBetween(-1.0, 1.0);
        assertThat(RaterPreference.opinion(prompt, "", rouge)).isCloseTo(-1.0, within(1e-9));
        String longRepeated = "pizza ".repeat(200);
        assertThat(RaterPreference.opinion(prompt, longRepeated, rouge)).isCloseTo(-1.0, within(1e-9));
    }
}
