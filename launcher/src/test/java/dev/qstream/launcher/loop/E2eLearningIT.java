package dev.qstream.launcher.loop;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.evaluator.HeldOutEvaluator;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.tasks.TaskFile;
import dev.qstream.tasks.TaskPrompt;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * It learns real human text, CI-sized: a slice of E2E NLG (human references, a vocabulary from the slice's train
 * lines only) through the real loop on the embedded broker, with demonstrations; the greedy held-out ROUGE-L of the
 * newest model beats the untrained policy's by more than both 95% confidence half-widths.
 */
class E2eLearningIT {

    private static EvalResult evaluate(LoopScenario loop, List<TaskPrompt> eval, ModelSnapshot model) throws InterruptedException {
        ServingPolicy policy = ServingPolicy.of(model, false);
        EpisodeGenerator generator = new EpisodeGenerator("it-eval", loop.vocabulary, new Tokenizer(),
                new ActionMasker(ActionMasker.Mode.PROMPT_AND_COMMON, loop.vocabulary, loop.commonWords),
                new DirectDecoder(() -> policy), 256, Clock.systemUTC(), GenerationMetrics.NONE);
        return new HeldOutEvaluator(generator, eval, 32).evaluate();
    }

    /** The first 150 train lines and the first 30 eval lines of the E2E dev task. */
    private static List<TaskPrompt> slice() throws Exception {
        List<TaskPrompt> all = TaskFile.read(Path.of("..", "tasks", "e2e-dev.jsonl")).prompts();
        List<TaskPrompt> slice = new ArrayList<>(all.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).limit(150).toList());
        slice.addAll(all.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).limit(30).toList());
        return slice;
    }

    @Test
    void heldOutRougeOnHumanReferencesRisesAboveTheUntrainedPolicyBeyondTheConfidenceBounds() throws Exception {
        List<TaskPrompt> task = slice();
        List<TaskPrompt> eval = task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             LoopScenario loop = new LoopScenario(broker.bootstrapServers(), "e2e", role -> Map.of(), task)) {
            loop.maxTokens = 32;
            loop.demonstrationFraction = 0.5;
            loop.startServices();
            EvalResult untrained = evaluate(loop, eval, new ModelSnapshot(0, -1, loop.vocabulary.fingerprint(),
                    ModelIdentity.defaults().withHidden(64).untrained(loop.vocabulary.size())));

            loop.startTraffic(30);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> loop.learner.updates() >= 2_000);
            ModelSnapshot trained = PublishedModels.newest(loop.settings, "e2e-learning-it", "qnet", Optional.of(LoopScenario.KEY),
                    Duration.ofSeconds(30)).orElseThrow();
            EvalResult learned = evaluate(loop, eval, trained);
            System.out.printf("E2E held-out ROUGE-L: untrained %.3f ± %.3f, version %d after %d updates %.3f ± %.3f%n",
                    untrained.rougeL(), untrained.rougeLCi95(), trained.version(), loop.learner.updates(),
                    learned.rougeL(), learned.rougeLCi95());
            assertThat(learned.prompts()).isEqualTo(30);
            assertThat(learned.rougeL() - learned.rougeLCi95()).isGreaterThan(untrained.rougeL() + untrained.rougeLCi95());
        }
    }
}
