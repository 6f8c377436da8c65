package dev.qstream.bench;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.experience.CollectingAdder;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.learner.dqn.Batch;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.PromptCopies;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;

/**
 * The shape {@code ./qstream up --task FILE} runs, for the benchmarks' headline figures: the task's vocabulary and
 * copy actions, the default model identity, the masks its actors record (prompt words, copy actions, the
 * coverage-sized common words) and states from its references, said as demonstrations.
 */
final class TaskShape {

    final String name;
    final Vocabulary vocabulary;
    final QNetworkSpec spec;
    final ActionMasker masker;
    final List<Transition> steps;
    /** The copy actions of each step's prompt, by prompt id, as the actor builds them. */
    final Map<String, PromptCopies> copies;

    private TaskShape(String name, Vocabulary vocabulary, QNetworkSpec spec, ActionMasker masker, List<Transition> steps,
                      Map<String, PromptCopies> copies) {
        this.name = name;
        this.vocabulary = vocabulary;
        this.spec = spec;
        this.masker = masker;
        this.steps = steps;
        this.copies = copies;
    }

    /** The words the steps of {@code at}'s episode said before it (steps of an episode are adjacent, in order). */
    List<String> wordsBefore(int at) {
        Transition t = steps.get(at);
        List<String> words = new ArrayList<>();
        for (int i = at - t.getStep(); i < at; i++) {
            words.add(steps.get(i).getActionToken());
        }
        return words;
    }

    static TaskShape of(String task, int episodes, long seed) throws IOException {
        List<TaskPrompt> prompts = TaskVocabulary.load(task);
        List<TaskPrompt> train = prompts.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN && !p.references().isEmpty()).toList();
        Vocabulary vocabulary = TaskVocabulary.of(prompts);
        ModelIdentity identity = ModelIdentity.defaults();
        QNetworkSpec spec = identity.spec(vocabulary.size());
        ActionMasker masker = new ActionMasker(ActionMasker.Mode.PROMPT_AND_COMMON, vocabulary,
                TaskVocabulary.commonWordsFor(prompts, vocabulary, TaskVocabulary.DEFAULT_MASK_COVERAGE));
        ServingPolicy untrained = ServingPolicy.of(new ModelSnapshot(0, -1, vocabulary.fingerprint(),
                identity.untrained(vocabulary.size())));
        EpisodeGenerator generator = new EpisodeGenerator("bench", vocabulary, new Tokenizer(), masker,
                new DirectDecoder(() -> untrained), 256, Clock.systemUTC(), GenerationMetrics.NONE);
        CollectingAdder collect = new CollectingAdder();
        Random random = new Random(seed);
        Tokenizer tokenizer = new Tokenizer();
        Map<String, PromptCopies> copies = new HashMap<>();
        for (int e = 0; e < episodes; e++) {
            TaskPrompt p = train.get(random.nextInt(train.size()));
            generator.demonstrate(p.id(), p.prompt(), p.references().get(random.nextInt(p.references().size())), 32, collect);
            copies.computeIfAbsent(p.id(), id -> PromptCopies.of(tokenizer.tokenize(p.prompt()), vocabulary, 256));
        }
        String shape = spec.inputs() + " → " + spec.hidden() + " → " + spec.actions();
        return new TaskShape(task + " (" + shape + ")", vocabulary, spec, masker, collect.transitions(), copies);
    }

    /** Mean size of the recorded masks. */
    double meanMask() {
        return steps.stream().filter(t -> t.getValidActions() != null).mapToInt(t -> t.getValidActions().size()).average().orElse(0);
    }

    /**
     * Batches of the task's steps as the learner samples them: state and next state, the recorded masks, n = 1
     * bootstrap from the next step (none after the last), every other row a demonstration (so the margin's cost is in).
     */
    Batch[] batches(int batchSize, int count, Random random) {
        StateEncoder encoder = new StateEncoder(spec.encoder());
        Batch[] out = new Batch[count];
        for (int k = 0; k < count; k++) {
            Batch b = new Batch(batchSize, spec.inputs());
            for (int i = 0; i < batchSize; i++) {
                int at = random.nextInt(steps.size());
                Transition t = steps.get(at);
                int[] prompt = ints(t.getPromptTokens());
                int[] prefix = ints(t.getPrefixTokens());
                int[] next = Arrays.copyOf(prefix, prefix.length + 1);
                next[prefix.length] = t.getAction();
                b.states.add(encoder.encode(prompt, prefix, prefix.length));
                b.nextStates.add(encoder.encode(prompt, next, next.length));
                b.actions[i] = t.getAction();
                b.returns[i] = (float) random.nextGaussian();
                boolean last = t.getDone() || at + 1 >= steps.size();
                b.discounts[i] = last ? 0f : 0.9f;
                b.masks[i] = t.getValidActions() == null ? null : ints(t.getValidActions());
                b.nextMasks[i] = last || steps.get(at + 1).getValidActions() == null ? null : ints(steps.get(at + 1).getValidActions());
                b.demonstrations[i] = i % 2 == 0;
            }
            out[k] = b;
        }
        return out;
    }

    static int[] ints(List<Integer> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }
}
