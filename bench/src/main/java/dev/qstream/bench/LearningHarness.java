package dev.qstream.bench;

import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.EpsilonSchedule;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.experience.Adder;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.replay.NStepAssembler;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.evaluator.HeldOutEvaluator;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.RewardParts;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.scorer.reward.ComposedReward;
import dev.qstream.scorer.reward.RewardComposer;
import dev.qstream.scorer.reward.RewardConfig;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The learning loop without Kafka: the same actor, reward, n-step, replay and DQN code the services run, wired in
 * one thread, for fast and repeatable tuning runs ({@code ./qstream bench learning}). What it finds is checked on
 * the real loop afterwards.
 */
public final class LearningHarness {

    /** Knobs of one run. */
    public record Settings(String task, int updates, int evalEvery, int publishEvery, double samplesPerInsert,
                           DqnConfig dqn, ReplayConfig replay, int hidden, ActionMasker.Mode mask, int commonWords,
                           EpsilonSchedule epsilon, int maxTokens, RewardConfig reward, long seed,
                           double demonstrations) {
    }

    private LearningHarness() {
    }

    public static List<EvalResult> run(Settings s, Consumer<String> log) throws Exception {
        List<TaskPrompt> task = TaskVocabulary.load(s.task());
        Vocabulary vocabulary = TaskVocabulary.of(task);
        List<TaskPrompt> train = task.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN).toList();
        List<TaskPrompt> eval = task.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList();
        Map<String, TaskPrompt> byId = new HashMap<>();
        task.forEach(p -> byId.put(p.id(), p));
        QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), s.hidden(), vocabulary.size());
        DqnUpdate dqn = new DqnUpdate(s.dqn(), QNetworkFactory.initialWeights(spec, ModelIdentity.DEFAULT_INIT_SEED));
        AtomicReference<ServingPolicy> serving = new AtomicReference<>(policy(dqn, vocabulary, 0));
        ActionMasker masker = new ActionMasker(s.mask(), vocabulary, s.commonWords());
        EpisodeGenerator generator = new EpisodeGenerator("harness", vocabulary, new Tokenizer(), masker,
                new DirectDecoder(serving::get), 256, Clock.systemUTC(), GenerationMetrics.NONE);
        HeldOutEvaluator evaluator = new HeldOutEvaluator(generator, eval, s.maxTokens());
        RewardComposer composer = new RewardComposer(s.reward());
        NStepAssembler assembler = new NStepAssembler(s.dqn().nStep(), s.dqn().gamma(), 10_000);
        ReplayBuffer replay = new ReplayBuffer(s.replay());
        StateEncoder encoder = new StateEncoder(spec.encoder());
        Batch batch = new Batch(s.dqn().batchSize(), spec.inputs());
        SplittableRandom random = new SplittableRandom(s.seed());
        List<EvalResult> curve = new ArrayList<>();
        curve.add(evaluator.evaluate());
        log.accept(line(curve.get(0), 0, 0, 0));
        long episodes = 0;
        long sampled = 0;
        long offset = 0;
        double rewardSum = 0;
        int rewardCount = 0;
        while (dqn.updates() < s.updates()) {
            // Act: one episode on a random training prompt, scored like the scorer would.
            TaskPrompt p = train.get(random.nextInt(train.size()));
            List<Transition> steps = new ArrayList<>();
            Adder collect = new Adder() {
                @Override
                public void add(Transition t) {
                    steps.add(t);
                }

                @Override
                public void episodeEnded(Episode e) {
                }

                @Override
                public void flush() {
                }
            };
            if (random.nextDouble() < s.demonstrations() && !p.references().isEmpty()) {
                // Learn from the task's human text too: a teacher-forced episode that says one of the references.
                generator.demonstrate(p.id(), p.prompt(), p.references().get(random.nextInt(p.references().size())),
                        s.maxTokens(), collect);
            } else {
                generator.generate(p.id(), p.prompt(), null, Exploration.epsilonGreedy(s.epsilon().at(episodes++)),
                        s.maxTokens(), random, collect);
            }
            List<String> tokens = steps.stream().map(Transition::getActionToken).toList();
            ComposedReward reward = composer.compose(tokens, byId.get(p.id()).references(), null);
            rewardSum += reward.episodeReward();
            rewardCount++;
            for (int i = 0; i < steps.size(); i++) {
                ScoredTransition scored = ScoredTransition.newBuilder().setTransition(steps.get(i))
                        .setReward(reward.stepRewards()[i]).setEpisodeReward(reward.episodeReward())
                        .setNextValidActions(i + 1 < steps.size() ? steps.get(i + 1).getValidActions() : null)
                        .setParts(RewardParts.newBuilder().setMetricName("m").setMetric(0).build()).setScoredAt(0L).build();
                for (StoredTransition t : assembler.add(scored, 0, offset++)) {
                    replay.add(t);
                }
            }
            // Learn: as many updates as the samples-per-insert ratio allows.
            while (replay.size() >= 500 && sampled + batch.size <= replay.inserted() * s.samplesPerInsert()
                    && dqn.updates() < s.updates()) {
                replay.sample(batch, random, encoder, dqn.updates());
                replay.updatePriorities(batch, dqn.update(batch).tdErrors());
                sampled += batch.size;
                if (dqn.updates() % s.publishEvery() == 0) {
                    serving.set(policy(dqn, vocabulary, dqn.updates()));
                }
                if (dqn.updates() % s.evalEvery() == 0) {
                    EvalResult r = evaluator.evaluate();
                    curve.add(r);
                    log.accept(line(r, dqn.updates(), episodes, rewardSum / Math.max(1, rewardCount)));
                    rewardSum = 0;
                    rewardCount = 0;
                }
            }
        }
        return curve;
    }

    private static ServingPolicy policy(DqnUpdate dqn, Vocabulary vocabulary, long version) {
        return ServingPolicy.of(new ModelSnapshot(version, -1, vocabulary.fingerprint(), dqn.onlineWeights()), false);
    }

    private static String line(EvalResult r, long updates, long episodes, double meanReward) {
        return String.format("updates=%d episodes=%d trainReward=%.3f heldOutRougeL=%.3f±%.3f rouge1=%.3f bleu=%.1f tokens=%.1f",
                updates, episodes, meanReward, r.rougeL(), r.rougeLCi95(), r.rouge1(), r.bleu(), r.meanTokens());
    }
}
