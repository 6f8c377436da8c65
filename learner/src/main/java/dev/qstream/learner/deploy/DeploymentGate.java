package dev.qstream.learner.deploy;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.deployment.DeploymentFollower;
import dev.qstream.runtime.deployment.DeploymentState;
import dev.qstream.schemas.avro.DeploymentAction;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.DeploymentEvidence;
import dev.qstream.schemas.avro.PartitionOffset;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The promotion gate, run by the learner's training thread. Why in the learner: it alone makes versions (so it can
 * hold publishing while a trial runs), it holds the weights a rollback resumes from, and the scored episodes it
 * needs already flow through it.
 *
 * <p>The cycle: the champion serves; when a publish is due and no trial is on, the current weights go out as a
 * challenger and a TRIAL_STARTED decision gives it the canary share; training goes on but nothing else is published;
 * the {@link PromotionGate} compares the arms' rewards and the gate records PROMOTED (the challenger serves
 * everything) or ROLLED_BACK (the champion keeps serving and training resumes from its weights). Decisions are
 * records on {@code qstream.deployments}, and the gate acts on the log as it reads it back, in order, so an
 * operator's {@code promote}/{@code rollback} and a restart take the same path as its own decisions.
 */
public final class DeploymentGate {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentGate.class);
    private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(30);
    public static final String DECIDED_BY = "gate";

    /** A published version as the gate keeps it: what a champion copy or a rollback needs. */
    public record Published(ModelSnapshot model, List<PartitionOffset> lineage, Map<String, Double> metrics) {
        public long version() {
            return model.version();
        }
    }

    /** Where decisions go: the deployments topic (the learner's transactional producer, so a fenced learner cannot). */
    @FunctionalInterface
    public interface DecisionRecorder {
        /** Appends the decision and returns once it is on the topic; throws when it could not. */
        void record(DeploymentDecision decision);
    }

    /** What the gate asks of the trainer; all on the training thread. */
    public interface Trainee {
        QNetworkWeights currentWeights();

        /** Publishes weights as the next version; null when publishing failed (the gate tries again later). */
        Published publish(QNetworkWeights weights);

        /** Republishes a version under the champion's keys. */
        void publishChampionCopy(Published version);

        /** Training continues from these weights. */
        void resumeFrom(QNetworkWeights weights);
    }

    private final GateConfig config;
    private final PromotionGate rule;
    private final String modelName;
    private final DecisionRecorder recorder;
    private final DeploymentFollower follower;
    private final TrialTally tally;
    private final Map<Long, Published> known = new HashMap<>();
    private final Set<Long> championCopies = new HashSet<>();
    private final Counter trials;
    private final Counter promotions;
    private final Counter rollbacks;
    private final AtomicReference<DeploymentEvidence> lastEvidence = new AtomicReference<>();
    private DeploymentState applied; // null until the first tick
    private DeploymentDecision awaiting;
    private long awaitingSince;
    private int trialsStarted;
    private int judgedAt = -1; // episodes counted when the running trial was last judged
    private long lastPublished = -1;

    /** @param startKnown versions read from the model topic at start (the champion and challenger the log names) */
    public DeploymentGate(GateConfig config, String modelName, DecisionRecorder recorder,
                          DeploymentFollower follower, TrialTally tally, Map<Long, Published> startKnown,
                          MeterRegistry registry) {
        this.config = config;
        this.rule = new PromotionGate(config);
        this.modelName = modelName;
        this.recorder = recorder;
        this.follower = follower;
        this.tally = tally;
        this.known.putAll(startKnown);
        this.trials = Counter.builder("learner.gate.trials").description("challengers put on trial").register(registry);
        this.promotions = Counter.builder("learner.gate.promotions").description("challengers promoted (by the gate or an operator)").register(registry);
        this.rollbacks = Counter.builder("learner.gate.rollbacks").description("challengers rolled back (by the gate or an operator)").register(registry);
        Gauge.builder("learner.gate.champion.version", this, g -> version(g.follower.state().champion().orElse(-1))).register(registry);
        Gauge.builder("learner.gate.challenger.version", this, g -> version(g.follower.state().challenger().orElse(-1))).register(registry);
        Gauge.builder("learner.gate.champion.episodes", lastEvidence, e -> e.get() == null ? 0 : e.get().getChampionEpisodes()).register(registry);
        Gauge.builder("learner.gate.challenger.episodes", lastEvidence, e -> e.get() == null ? 0 : e.get().getChallengerEpisodes()).register(registry);
        Gauge.builder("learner.gate.champion.reward", lastEvidence, e -> e.get() == null ? Double.NaN : e.get().getChampionMeanReward()).register(registry);
        Gauge.builder("learner.gate.challenger.reward", lastEvidence, e -> e.get() == null ? Double.NaN : e.get().getChallengerMeanReward()).register(registry);
    }

    private static double version(long v) {
        return v;
    }

    /**
     * One look, every training turn: act on decisions read since the last look; then, unless a decision of ours is
     * still on its way back, seed a champion or start a trial (only when {@code publishDue}), or judge the trial on.
     */
    public void tick(Trainee trainee, boolean publishDue) {
        sync(trainee);
        if (awaiting != null) {
            if (System.nanoTime() - awaitingSince < RECORD_TIMEOUT.toNanos()) {
                return;
            }
            LOG.warn("decision {} v{} not read back from the deployments topic within {}; going on",
                    awaiting.getAction(), awaiting.getSubjectVersion(), RECORD_TIMEOUT);
            awaiting = null;
        }
        DeploymentState s = applied;
        if (s.followsLatest() || !known.containsKey(s.champion().getAsLong())) {
            if (publishDue) {
                seed(trainee, s.followsLatest() ? "gate on: the version trained so far becomes the champion"
                        : "champion v" + s.champion().getAsLong() + "'s weights are not on the model topic: the version trained so far replaces it");
            }
            return;
        }
        long champion = s.champion().getAsLong();
        if (s.challenger().isEmpty()) {
            if (publishDue) {
                startTrial(trainee, champion);
            }
            return;
        }
        long challenger = s.challenger().getAsLong();
        int counted = tally.counted();
        if (counted == judgedAt) {
            return; // no new episode since the last look: the verdict cannot have changed
        }
        TrialTally.Arms arms = tally.arms(champion, challenger);
        if (arms == null) {
            return;
        }
        judgedAt = counted;
        PromotionGate.Verdict verdict = rule.evaluate(arms.champion(), arms.challenger());
        lastEvidence.set(verdict.evidence());
        if (verdict.outcome() == PromotionGate.Outcome.WAIT) {
            return;
        }
        boolean promote = verdict.outcome() == PromotionGate.Outcome.PROMOTE;
        record(promote ? DeploymentAction.PROMOTED : DeploymentAction.ROLLED_BACK, challenger,
                promote ? challenger : champion, null, 0, verdict.reason(), verdict.evidence());
    }

    /** Applies what the log says now, if it changed since the last look. */
    private void sync(Trainee trainee) {
        DeploymentState now = follower.state();
        if (applied != null && Objects.equals(now.lastDecision(), applied.lastDecision())) {
            return;
        }
        DeploymentState before = applied;
        applied = now;
        awaiting = null;
        judgedAt = -1;
        if (now.followsLatest()) {
            tally.close();
            return;
        }
        long champion = now.champion().getAsLong();
        if (before != null) {
            DeploymentDecision d = now.lastDecision();
            boolean trialEnded = before.challenger().isPresent() && now.challenger().isEmpty();
            if (trialEnded && champion == before.challenger().getAsLong()) {
                promotions.increment();
            } else if (trialEnded) {
                rollbacks.increment();
                Published back = known.get(champion);
                if (back != null) {
                    trainee.resumeFrom(back.model().weights());
                    LOG.info("challenger v{} rolled back by {}: training resumes from champion v{}",
                            before.challenger().getAsLong(), d.getDecidedBy(), champion);
                } else {
                    LOG.error("challenger v{} rolled back but champion v{}'s weights are unknown here; training goes on",
                            before.challenger().getAsLong(), champion);
                }
            }
        }
        if (!championCopies.contains(champion) && known.containsKey(champion)) {
            trainee.publishChampionCopy(known.get(champion));
            championCopies.add(champion);
        }
        if (now.challenger().isPresent()) {
            Instant since = now.lastDecision().getAction() == DeploymentAction.TRIAL_STARTED
                    ? now.lastDecision().getDecidedAt() : Instant.EPOCH;
            TrialTally.Arms counting = tally.arms(champion, now.challenger().getAsLong());
            if (counting == null) {
                tally.open(champion, now.challenger().getAsLong(), since.toEpochMilli());
            }
        } else {
            tally.close();
        }
        known.keySet().removeIf(v -> v != champion && v != lastPublished
                && !(now.challenger().isPresent() && v == now.challenger().getAsLong()));
    }

    private void seed(Trainee trainee, String reason) {
        Published p = trainee.publish(trainee.currentWeights());
        if (p == null) {
            return;
        }
        remember(p);
        record(DeploymentAction.PROMOTED, p.version(), p.version(), null, 0, reason, null);
    }

    private void startTrial(Trainee trainee, long champion) {
        trialsStarted++;
        boolean drill = trialsStarted == config.drillBadChallenger();
        QNetworkWeights weights = trainee.currentWeights();
        Published p = trainee.publish(drill ? endsAtOnce(weights) : weights);
        if (p == null) {
            trialsStarted--;
            return;
        }
        remember(p);
        trials.increment();
        record(DeploymentAction.TRIAL_STARTED, p.version(), champion, p.version(), config.canaryFraction(),
                drill ? "fault drill (--drill-bad-challenger " + trialsStarted + "): this challenger ends every episode at once"
                        : "new version from training", null);
    }

    private void remember(Published p) {
        known.put(p.version(), p);
        lastPublished = p.version();
    }

    private void record(DeploymentAction action, long subject, long champion, Long challenger, double fraction,
                        String reason, DeploymentEvidence evidence) {
        DeploymentDecision d = DeploymentDecision.newBuilder()
                .setModel(modelName).setAction(action).setSubjectVersion(subject)
                .setChampionVersion(champion).setChallengerVersion(challenger).setCanaryFraction(fraction)
                .setDecidedBy(DECIDED_BY).setReason(reason).setEvidence(evidence).setDecidedAt(Instant.now())
                .build();
        try {
            recorder.record(d);
            awaiting = d;
            awaitingSince = System.nanoTime();
            LOG.info("gate: {} v{} ({})", action, subject, reason);
        } catch (RuntimeException e) {
            LOG.error("gate: could not record {} v{} (will look again): {}", action, subject, e.getMessage());
        }
    }

    /**
     * The fault drill's challenger: the end-of-sequence action outscores every other by far in every state, so
     * each episode ends at its first step where ending is allowed. Weights otherwise as trained.
     */
    static QNetworkWeights endsAtOnce(QNetworkWeights w) {
        float[] w2 = w.w2().clone();
        float[] b2 = w.b2().clone();
        int hidden = w.spec().hidden();
        java.util.Arrays.fill(w2, Vocabulary.EOS_ID * hidden, (Vocabulary.EOS_ID + 1) * hidden, 0f);
        b2[Vocabulary.EOS_ID] = 1_000f;
        return new QNetworkWeights(w.spec(), w.w1(), w.b1(), w2, b2);
    }

    /** The state the gate last acted on (for tests and status). */
    public DeploymentState applied() {
        return applied == null ? follower.state() : applied;
    }
}
