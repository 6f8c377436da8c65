package dev.qstream.schemas.validation;

import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RecordValidatorTest {

    private final RecordValidator validator = new RecordValidator(ValidationLimits.withVocabulary(100));

    static Transition.Builder transition() {
        return Transition.newBuilder().setEpisodeId(UUID.randomUUID().toString()).setPromptId("p").setActorId("a").setStep(2)
                .setPromptTokens(List.of(3, 4)).setPrefixTokens(List.of(5, 6)).setAction(7).setActionToken("w")
                .setValidActions(List.of(2, 7)).setDone(false).setEndReason(null).setPolicyVersion(1)
                .setBehaviourProbability(0.5).setExploration(ExplorationStrategy.GREEDY).setCreatedAt(System.currentTimeMillis());
    }

    static ScoredTransition scored(double reward) {
        return ScoredTransition.newBuilder().setTransition(transition().build()).setReward(reward).setEpisodeReward(0)
                .setNextValidActions(null)
                .setParts(RewardParts.newBuilder().setMetricName("m").setMetric(0).build())
                .setScoredAt(System.currentTimeMillis()).build();
    }

    @Test
    void aValidTransitionPasses() {
        assertThat(validator.validate(transition().build())).isEmpty();
    }

    @Test
    void tokenIdsMustBeInsideTheVocabulary() {
        assertThat(validator.validate(transition().setAction(100).setValidActions(null).build()))
                .containsExactly("action = 100 is outside the vocabulary [0, 100)");
        assertThat(validator.validate(transition().setPromptTokens(List.of(3, -1)).build()))
                .anyMatch(v -> v.startsWith("promptTokens[1] = -1 is outside the vocabulary"));
        assertThat(validator.validate(transition().setAction(8).build()))
                .containsExactly("action 8 is not among the recorded valid actions");
    }

    @Test
    void stepsMustBeNonNegativeAndMatchThePrefix() {
        assertThat(validator.validate(transition().setStep(-1).build()))
                .contains("step is negative: -1");
        assertThat(validator.validate(transition().setStep(3).build()))
                .anyMatch(v -> v.contains("step 3 but 2 prefix tokens"));
    }

    @Test
    void rewardsMustBeFinite() {
        assertThat(validator.validate(scored(Double.NaN))).containsExactly("reward is not finite: NaN");
        assertThat(validator.validate(scored(Double.POSITIVE_INFINITY))).containsExactly("reward is not finite: Infinity");
        assertThat(validator.validate(scored(0.5))).isEmpty();
    }

    @Test
    void promptsAreCheckedAgainstTheSizeLimits() {
        Prompt ok = Prompt.newBuilder().setPromptId("p").setText("hello").setReferences(List.of("hi")).setTask("")
                .setDeadline(null).setCreatedAt(Instant.now()).build();
        assertThat(validator.validate(ok)).isEmpty();
        ok.setText("x".repeat(ValidationLimits.DEFAULT_MAX_PROMPT_CHARS + 1));
        assertThat(validator.validate(ok)).containsExactly("prompt text has 8193 chars, over the limit of 8192");
        ok.setText("hello");
        ok.setReferences(Collections.nCopies(129, "r"));
        assertThat(validator.validate(ok)).containsExactly("prompt has 129 references, over the limit of 128");
        ok.setReferences(List.of());
        ok.setPromptId(" ");
        assertThat(validator.validate(ok)).containsExactly("promptId is empty");
        ok.setPromptId("p");
        ok.setMaxTokens(0);
        assertThat(validator.validate(ok)).containsExactly("maxTokens must be in [1, 1024], got 0");
    }

    @Test
    void feedbackValuesAreBoundedAndKeysMustMatch() {
        Feedback f = Feedback.newBuilder().setFeedbackId(UUID.randomUUID()).setEpisodeId(UUID.randomUUID())
                .setKind(FeedbackKind.RATING).setValue(1.5).setEditedText(null).setSource("s").setCreatedAt(Instant.now()).build();
        assertThat(validator.validate(f)).containsExactly("feedback value must be a finite number in [-1, 1], got 1.5");
        assertThat(validator.validateKey(null, "e1")).containsExactly("record key is missing; expected 'e1'");
        assertThat(validator.validateKey("e2", "e1")).containsExactly("record key 'e2' does not match the id in the value 'e1'");
        assertThat(validator.validateKey("e1", "e1")).isEmpty();
    }

    static DeploymentDecision.Builder decision() {
        return DeploymentDecision.newBuilder().setModel("qnet").setAction(DeploymentAction.TRIAL_STARTED).setSubjectVersion(8)
                .setChampionVersion(5).setChallengerVersion(8L).setCanaryFraction(0.1).setDecidedBy("gate").setReason("r")
                .setEvidence(null).setDecidedAt(java.time.Instant.EPOCH);
    }

    @Test
    void aDeploymentDecisionMustNameAStateActorsCanRouteBy() {
        assertThat(validator.validate(decision().build())).isEmpty();
        assertThat(validator.validate(decision().setChallengerVersion(null).setCanaryFraction(0).build())).isEmpty();
        assertThat(validator.validate(decision().setAction(DeploymentAction.UNKNOWN).build()))
                .anySatisfy(v -> assertThat(v).contains("unknown to this version"));
        assertThat(validator.validate(decision().setChallengerVersion(5L).build()))
                .anySatisfy(v -> assertThat(v).contains("other than the champion"));
        assertThat(validator.validate(decision().setCanaryFraction(0).build()))
                .anySatisfy(v -> assertThat(v).contains("canary fraction"));
        assertThat(validator.validate(decision().setCanaryFraction(Double.NaN).build()))
                .anySatisfy(v -> assertThat(v).contains("canary fraction"));
        assertThat(validator.validate(decision().setChampionVersion(-1).build()))
                .anySatisfy(v -> assertThat(v).contains("versions must be >= 0"));
        assertThat(validator.validate(decision().setModel(" ").build())).anySatisfy(v -> assertThat(v).contains("model is empty"));
    }
}
