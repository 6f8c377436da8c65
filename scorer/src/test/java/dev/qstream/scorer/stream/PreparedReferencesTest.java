package dev.qstream.scorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qstream.schemas.avro.Prompt;
import dev.qstream.scorer.reward.RewardComposer;
import dev.qstream.scorer.reward.RewardConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

/** A prompt's references are prepared once for all tasks, and again only when the prompt's references change. */
class PreparedReferencesTest {

    private static Prompt prompt(String id, String... references) {
        return Prompt.newBuilder().setPromptId(id).setText("describe " + id).setReferences(List.of(references))
                .setTask("test").setCreatedAt(Instant.EPOCH).build();
    }

    @Test
    void aPromptIsPreparedOnceAndAgainWhenItsReferencesChange() {
        PreparedReferences prepared = new PreparedReferences(new RewardComposer(RewardConfig.defaults()));
        RewardComposer.References first = prepared.of(prompt("p1", "the cat sat on the mat"));
        // Another task, another decoded copy of the same prompt: the same prepared object.
        assertThat(prepared.of(prompt("p1", "the cat sat on the mat"))).isSameAs(first);
        assertThat(prepared.of(prompt("p2", "the cat sat on the mat"))).isNotSameAs(first);

        RewardComposer.References updated = prepared.of(prompt("p1", "a dog ran in the park"));
        assertThat(updated).isNotSameAs(first);
        assertThat(updated.texts()).containsExactly("a dog ran in the park");
        assertThat(updated.rougeTokens()).containsExactly(List.of("a", "dog", "ran", "in", "the", "park"));
        assertThat(prepared.of(prompt("p1", "a dog ran in the park"))).isSameAs(updated);
    }
}
