package dev.qstream.bench;

import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.generation.ReferenceChoice;
import dev.qstream.actor.experience.CollectingAdder;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.replay.NStepAssembler;
import dev.qstream.learner.replay.PolicyLag;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StalenessBound;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.evaluator.HeldOutEvaluator;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.scorer.reward.ComposedReward;
import dev.qstream.scorer.reward.RewardComposer;
import dev.qstream.scorer.reward.RewardConfig;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The reference learning loop: every role of qstream in one thread, without Kafka, in the order the services run it.
 * The same classes the services use do the work (actor's {@link EpisodeGenerator}, scorer's {@link RewardComposer},
 * learner's {@link NStepAssembler}, {@link ReplayBuffer} and {@link DqnUpdate}); only the topics between them are
 * replaced by method calls. One iteration:
 *
 * <pre>
 *   act     an episode on a random train prompt (ε-greedy), and for a share of them a demonstration that says one
 *           of its references (as the actor does)
 *   score   ROUGE per step against the prompt's references (the scorer's reward, delta-shaped)
 *   store   n-step transitions into prioritized replay
 *   learn   DQN updates while the samples-per-insert ratio allows; every N updates publish the weights to the actor
 *           as the next model version (1, 2, ...), as the learner does, so replay's policy lag and its bound work
 *           as in the service
 *   measure greedy held-out ROUGE-L on the eval split every M updates
 * </pre>
 *
 * {@code ./qstream bench learning} runs it: fast and repeatable tuning runs, checked on the real loop afterwards.
 */
public final class LearningHarness {

    /**
     * Knobs of one run.
     *
     * @param task      the prompts: the loop trains on the {@code TRAIN} lines and measures on the {@code EVAL} ones
     *                  (a {@link dev.qstream.tasks.ValidationSplit} when tuning, so the reported eval lines stay unseen)
     * @param staleness the learner's bound on policy lag
     */
    public record Settings(List<TaskPrompt> task, int updates, int evalEvery, int publishEvery, double samplesPerInsert,
                           DqnConfig dqn, ReplayConfig replay, ActionMasker.Mode mask, int commonWords,
                           EpsilonSchedule epsilon, int maxTokens, RewardConfig reward, long seed,
                           double demonstrations, ReferenceChoice referenceChoice, ModelIdentity identity,
                           StalenessBound staleness) {
    }

    private final Settings s;
    private final Consumer<String> log;
    private final Vocabulary vocabulary;
    private final List<TaskPrompt> train;
    private final DqnUpdate dqn;
    private final AtomicReference<ServingPolicy> serving;
    private final EpisodeGenerator actor;
    private final HeldOutEvaluator evaluator;
    private final RewardComposer scorer;
    private final NStepAssembler assembler;
    private final ReplayBuffer replay;
    private final StateEncoder encoder;
    private final Batch batch;
    private final SplittableRandom random;
    private final Tokenizer tokenizer = new Tokenizer();
    private long episodes;
    private long sampled;
    private long offset;
    private double rewardSum;
    private int rewardCount;
    private long version;                       // the newest model version handed to the actor
    private PolicyLag lag = PolicyLag.NONE;     // over the batches since the last measurement ...
    private long rowsSampled;                   // ... and the rows they had (demonstrations included)

    private LearningHarness(Settings s, Consumer<String> log) {
        this.s = s;
        this.log = log;
        List<TaskPrompt> task = s.task();
        this.vocabulary = TaskVocabulary.of(task);
        this.train = task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
        ModelIdentity identity = s.identity();
        this.dqn = new DqnUpdate(s.dqn(), identity.untrained(vocabulary.size()));
        this.serving = new AtomicReference<>(policy(dqn, vocabulary, 0));
        this.actor = new EpisodeGenerator("harness", vocabulary, new Tokenizer(),
                new ActionMasker(s.mask(), vocabulary, s.commonWords()), new DirectDecoder(serving::get), 256,
                Clock.systemUTC(), GenerationMetrics.NONE);
        this.evaluator = new HeldOutEvaluator(actor, task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList(),
                s.maxTokens());
        this.scorer = new RewardComposer(s.reward());
        this.assembler = new NStepAssembler(s.dqn().nStep(), s.dqn().gamma(), 10_000);
        this.replay = new ReplayBuffer(s.replay(), s.staleness());
        this.encoder = new StateEncoder(identity.encoder());
        this.batch = new Batch(s.dqn().batchSize(), identity.encoder().size());
        this.random = new SplittableRandom(s.seed());
    }

    /** Runs the loop to {@code s.updates()} updates; returns the held-out curve (the untrained policy first). */
    public static List<EvalResult> run(Settings s, Consumer<String> log) throws Exception {
        return new LearningHarness(s, log).run();
    }

    private List<EvalResult> run() throws InterruptedException {
        List<EvalResult> curve = new ArrayList<>();
        curve.add(measure());
        while (dqn.updates() < s.updates()) {
            TaskPrompt prompt = train.get(random.nextInt(train.size()));
            List<Transition> steps = act(prompt);
            store(steps, score(prompt, steps));
            if (random.nextDouble() < s.demonstrations() && !prompt.references().isEmpty()) {
                List<Transition> demonstration = demonstrate(prompt);
                store(demonstration, score(prompt, demonstration));
            }
            while (replay.size() >= 500 && sampled + batch.size <= replay.inserted() * s.samplesPerInsert()
                    && dqn.updates() < s.updates()) {
                learn();
                if (dqn.updates() % s.evalEvery() == 0) {
                    curve.add(measure());
                }
            }
        }
        return curve;
    }

    /** Act: an ε-greedy episode on the prompt, as an actor serves it. */
    private List<Transition> act(TaskPrompt prompt) throws InterruptedException {
        CollectingAdder collect = new CollectingAdder();
        actor.generate(prompt.id(), prompt.prompt(), null, Exploration.epsilonGreedy(s.epsilon().at(episodes++)),
                s.maxTokens(), random, collect);
        return collect.transitions();
    }

    /** Demonstrate: as an actor does for a share of the prompts, also say one of its references, teacher-forced. */
    private List<Transition> demonstrate(TaskPrompt prompt) {
        CollectingAdder collect = new CollectingAdder();
        actor.demonstrate(prompt.id(), prompt.prompt(), s.referenceChoice().pick(prompt.references(), tokenizer, random),
                s.maxTokens(), collect);
        return collect.transitions();
    }

    /** Score: the scorer's per-step reward for the words the episode said. */
    private ComposedReward score(TaskPrompt prompt, List<Transition> steps) {
        ComposedReward reward = scorer.compose(steps.stream().map(Transition::getActionToken).toList(), prompt.references(), null);
        rewardSum += reward.episodeReward();
        rewardCount++;
        return reward;
    }

    /** Store: scored steps (with the next step's mask, as the scorer writes them) through n-step assembly into replay. */
    private void store(List<Transition> steps, ComposedReward reward) {
        for (int i = 0; i < steps.size(); i++) {
            ScoredTransition scored = ScoredTransition.newBuilder().setTransition(steps.get(i))
                    .setReward(reward.stepRewards()[i]).setEpisodeReward(reward.episodeReward())
                    .setNextValidActions(i + 1 < steps.size() ? steps.get(i + 1).getValidActions() : null)
                    .setParts(RewardParts.newBuilder().setMetricName("m").setMetric(0).build()).setScoredAt(0L).build();
            for (StoredTransition t : assembler.add(scored, 0, offset++)) {
                replay.add(t);
            }
        }
    }

    /** Learn: one DQN update on a prioritized batch; every N updates the actor gets the new weights (a "publish"). */
    private void learn() {
        replay.sample(batch, random, encoder, dqn.updates());
        lag = lag.plus(PolicyLag.of(batch));
        rowsSampled += batch.size;
        replay.updatePriorities(batch, dqn.update(batch).tdErrors());
        sampled += batch.size;
        if (dqn.updates() % s.publishEvery() == 0) {
            serving.set(policy(dqn, vocabulary, ++version));
            replay.advanceVersion(version);
        }
    }

    /** Measure: greedy held-out ROUGE-L of the weights the actor serves now. */
    private EvalResult measure() throws InterruptedException {
        EvalResult r = evaluator.evaluate();
        // Demonstrations are never stale, so a bound that drops policy rows raises their share of the batches.
        double demonstrated = rowsSampled == 0 ? 0 : 1 - (double) lag.rows() / rowsSampled;
        log.accept(line(r, dqn.updates(), episodes, rewardSum / Math.max(1, rewardCount)) + String.format(
                " version=%d policyLag=%.1f/%d demonstratedRows=%.2f replay=%d staleDropped=%d staleDownweighted=%d",
                version, lag.mean(), lag.max(), demonstrated, replay.size(), replay.staleDropped(),
                replay.staleDownweighted()));
        rewardSum = 0;
        rewardCount = 0;
        lag = PolicyLag.NONE;
        rowsSampled = 0;
        return r;
    }

    private static ServingPolicy policy(DqnUpdate dqn, Vocabulary vocabulary, long version) {
        return ServingPolicy.of(new ModelSnapshot(version, -1, vocabulary.fingerprint(), dqn.onlineWeights()), false);
    }

    private static String line(EvalResult r, long updates, long episodes, double meanReward) {
        return String.format("updates=%d episodes=%d trainReward=%.3f heldOutRougeL=%.3f±%.3f rouge1=%.3f bleu=%.1f tokens=%.1f",
                updates, episodes, meanReward, r.rougeL(), r.rougeLCi95(), r.rouge1(), r.bleu(), r.meanTokens());
    }
}
