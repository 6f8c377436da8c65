package dev.qstream.launcher.loop;

import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.evaluator.HeldOutEvaluator;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Tokenizer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * It learns, on the real loop: after a short run on the embedded broker, the greedy held-out ROUGE-L of the newest
 * published model beats the untrained policy's by more than both 95% confidence half-widths (several eval prompts,
 * not one sample).
 */
class LearningIT {

    private static EvalResult evaluate(LoopScenario loop, ModelSnapshot model) throws InterruptedException {
        ServingPolicy policy = ServingPolicy.of(model, false);
        EpisodeGenerator generator = new EpisodeGenerator("it-eval", loop.vocabulary, new Tokenizer(),
                new ActionMasker(ActionMasker.Mode.PROMPT_AND_COMMON, loop.vocabulary, loop.commonWords),
                new DirectDecoder(() -> policy), 256, Clock.systemUTC(), GenerationMetrics.NONE);
        return new HeldOutEvaluator(generator, loop.task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList(), 24).evaluate();
    }

    @Test
    void heldOutRougeRisesAboveTheUntrainedPolicyBeyondTheConfidenceBounds() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             LoopScenario loop = new LoopScenario(broker.bootstrapServers(), "learn").startServices()) {
            QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), 64, loop.vocabulary.size());
            EvalResult untrained = evaluate(loop, new ModelSnapshot(0, -1, loop.vocabulary.fingerprint(),
                    QNetworkFactory.initialWeights(spec, ModelIdentity.DEFAULT_INIT_SEED)));

            loop.startTraffic(30);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> loop.learner.updates() >= 3_000);
            ModelSnapshot trained = PublishedModels.newest(loop.settings, "learning-it", "qnet", Optional.of(LoopScenario.KEY),
                    Duration.ofSeconds(30)).orElseThrow();
            EvalResult learned = evaluate(loop, trained);
            System.out.printf("held-out ROUGE-L: untrained %.3f ± %.3f, version %d after %d updates %.3f ± %.3f%n",
                    untrained.rougeL(), untrained.rougeLCi95(), trained.version(), loop.learner.updates(),
                    learned.rougeL(), learned.rougeLCi95());
            assertThat(learned.prompts()).isGreaterThanOrEqualTo(20);
            assertThat(learned.rougeL() - learned.rougeLCi95()).isGreaterThan(untrained.rougeL() + untrained.rougeLCi95());
        }
    }
}
