package dev.qstream.learner.service;

import dev.qstream.learner.deploy.GateConfig;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StaleTransitions;
import dev.qstream.learner.replay.StalenessBound;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.transport.ModelSigner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Every knob of a learner instance besides the update itself (see docs/LEARNER.md for defaults and advice).
 *
 * @param instanceId                this learner's id
 * @param modelName                 name of the model it publishes
 * @param vocabularySize            number of actions (the actors' vocabulary)
 * @param vocabularyFingerprint     SHA-256 of that vocabulary, written into every model header
 * @param encoder                   state encoding (travels to the actors in the model header)
 * @param hidden                    hidden units
 * @param initSeed                  seed of the version-0 weights (the actors' default, so both start identical)
 * @param dqn                       the update's knobs (γ, α, batch, Huber δ, clipping, double DQN, target sync, n)
 * @param replay                    replay capacity and prioritization
 * @param staleness                 bound on policy lag (model versions between the learner's model and the policy
 *                                  that chose a transition) and what happens to transitions past it
 * @param minReplay                 transitions needed before the first update
 * @param samplesPerInsert          target ratio of sampled to inserted transitions
 * @param samplesPerInsertTolerance samples the learner may run ahead of the ratio before it waits for data
 * @param pauseIngestBehind         samples owed beyond which the consumer pauses (back-pressure to Kafka); 0 = never
 * @param publishEveryUpdates       publish a version every N updates ...
 * @param publishEvery              ... or at least this often while updates happen
 * @param checkpointDir             where checkpoints go; null = no checkpoints (offsets are then committed per poll)
 * @param checkpointEveryUpdates    checkpoint every N updates ...
 * @param checkpointEvery           ... or at least this often (and always on shutdown)
 * @param checkpointsKept           how many checkpoint files to keep
 * @param divergenceLossFactor      a loss above this many times its running mean counts as divergence (rollback)
 * @param signer                    signs published models; empty = unsigned (development only)
 * @param groupId                   consumer group on the scored and late-reward topics
 * @param seed                      sampling seed
 * @param leaseTimeout              how long a silent active learner keeps the lease before a standby takes over
 *                                  (the lease group's session timeout; {@link ActiveStandbyLearner})
 * @param gate                      the promotion gate (champion/challenger canary trials); empty = off, every
 *                                  version serves all traffic as soon as it is published
 */
public record LearnerConfig(String instanceId, String modelName, int vocabularySize, String vocabularyFingerprint,
                            EncoderSpec encoder, int hidden, long initSeed, DqnConfig dqn, ReplayConfig replay,
                            StalenessBound staleness, int minReplay, double samplesPerInsert, double samplesPerInsertTolerance,
                            double pauseIngestBehind, int publishEveryUpdates, Duration publishEvery, Path checkpointDir,
                            int checkpointEveryUpdates, Duration checkpointEvery, int checkpointsKept,
                            double divergenceLossFactor, Optional<ModelSigner> signer, String groupId, long seed,
                            Duration leaseTimeout, Optional<GateConfig> gate) {

    public LearnerConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(dqn, "dqn");
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(staleness, "staleness");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(gate, "gate");
        // Kafka brokers accept group session timeouts in [group.min.session.timeout.ms, ...max...]: 6 s to 30 min by default.
        if (leaseTimeout.toMillis() < 6_000 || leaseTimeout.toMillis() > 300_000) {
            throw new IllegalArgumentException("lease timeout must be between 6 s (brokers' default group.min.session.timeout.ms) and 5 min, got " + leaseTimeout);
        }
        if (minReplay < 1 || !(samplesPerInsert > 0) || samplesPerInsertTolerance < 0 || pauseIngestBehind < 0
                || publishEveryUpdates < 1 || checkpointEveryUpdates < 1 || checkpointsKept < 1
                || !(divergenceLossFactor > 1)) {
            throw new IllegalArgumentException("invalid learner settings: " + this);
        }
    }

    /** Sampled/inserted transitions the learner keeps to: each transition is replayed about this many times. */
    public static final double DEFAULT_SAMPLES_PER_INSERT = 4;

    public static Builder builder(String instanceId, int vocabularySize, String vocabularyFingerprint) {
        return new Builder(instanceId, vocabularySize, vocabularyFingerprint);
    }

    /** Defaults for everything but identity and vocabulary. */
    public static final class Builder {
        private final String instanceId;
        private final int vocabularySize;
        private final String vocabularyFingerprint;
        private String modelName = ModelIdentity.DEFAULT_NAME;
        private EncoderSpec encoder = EncoderSpec.defaults();
        private int hidden = ModelIdentity.DEFAULT_HIDDEN;
        private long initSeed = ModelIdentity.DEFAULT_INIT_SEED;
        private DqnConfig dqn = DqnConfig.defaults();
        private ReplayConfig replay = ReplayConfig.defaults();
        private int maxPolicyLag = 0; // unbounded: train on everything replay holds
        private StaleTransitions staleTransitions = StaleTransitions.DROP;
        private int minReplay = 500;
        private double samplesPerInsert = DEFAULT_SAMPLES_PER_INSERT;
        private double tolerance = -1;
        private double pauseIngestBehind = 0;
        private int publishEveryUpdates = 100;
        private Duration publishEvery = Duration.ofSeconds(30);
        private Path checkpointDir;
        private int checkpointEveryUpdates = 2_000;
        private Duration checkpointEvery = Duration.ofSeconds(60);
        private int checkpointsKept = 3;
        private double divergenceLossFactor = 1_000;
        private Optional<ModelSigner> signer = Optional.empty();
        private String groupId = "qstream-learner";
        private long seed = 1;
        private Optional<GateConfig> gate = Optional.empty();
        private Duration leaseTimeout = Duration.ofSeconds(10);

        private Builder(String instanceId, int vocabularySize, String vocabularyFingerprint) {
            this.instanceId = instanceId;
            this.vocabularySize = vocabularySize;
            this.vocabularyFingerprint = vocabularyFingerprint;
        }

        /** Name, encoding, hidden size and init seed at once. */
        public Builder model(ModelIdentity v) {
            return modelName(v.name()).encoder(v.encoder()).hidden(v.hidden()).initSeed(v.initSeed());
        }

        public Builder modelName(String v) { modelName = v; return this; }
        public Builder encoder(EncoderSpec v) { encoder = v; return this; }
        public Builder hidden(int v) { hidden = v; return this; }
        public Builder initSeed(long v) { initSeed = v; return this; }
        public Builder dqn(DqnConfig v) { dqn = v; return this; }
        public Builder replay(ReplayConfig v) { replay = v; return this; }
        public Builder maxPolicyLag(int v) { maxPolicyLag = v; return this; }
        public Builder staleTransitions(StaleTransitions v) { staleTransitions = v; return this; }
        /** K and the treatment at once. */
        public Builder staleness(StalenessBound v) { return maxPolicyLag(v.maxPolicyLag()).staleTransitions(v.treatment()); }
        public Builder minReplay(int v) { minReplay = v; return this; }
        public Builder samplesPerInsert(double v) { samplesPerInsert = v; return this; }
        public Builder samplesPerInsertTolerance(double v) { tolerance = v; return this; }
        public Builder pauseIngestBehind(double v) { pauseIngestBehind = v; return this; }
        public Builder publishEveryUpdates(int v) { publishEveryUpdates = v; return this; }
        public Builder publishEvery(Duration v) { publishEvery = v; return this; }
        public Builder checkpointDir(Path v) { checkpointDir = v; return this; }
        public Builder checkpointEveryUpdates(int v) { checkpointEveryUpdates = v; return this; }
        public Builder checkpointEvery(Duration v) { checkpointEvery = v; return this; }
        public Builder checkpointsKept(int v) { checkpointsKept = v; return this; }
        public Builder divergenceLossFactor(double v) { divergenceLossFactor = v; return this; }
        public Builder signer(Optional<ModelSigner> v) { signer = v; return this; }
        public Builder groupId(String v) { groupId = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder gate(Optional<GateConfig> v) { gate = v; return this; }
        public Builder leaseTimeout(Duration v) { leaseTimeout = v; return this; }

        public LearnerConfig build() {
            double tol = tolerance >= 0 ? tolerance : 4.0 * dqn.batchSize();
            return new LearnerConfig(instanceId, modelName, vocabularySize, vocabularyFingerprint, encoder, hidden,
                    initSeed, dqn, replay, new StalenessBound(maxPolicyLag, staleTransitions), minReplay,
                    samplesPerInsert, tol, pauseIngestBehind, publishEveryUpdates, publishEvery, checkpointDir, checkpointEveryUpdates, checkpointEvery, checkpointsKept,
                    divergenceLossFactor, signer, groupId, seed, leaseTimeout, gate);
        }
    }
}
