package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;

import java.util.SplittableRandom;

/**
 * The DQN update, written by hand for speed (DL4J's {@code fit} reaches 15–30% of the sgemm roofline on this net, and
 * cannot use the states' sparsity or the masks). Parameters and activations are Java arrays; the first layer sums the
 * W1 rows of each state's few active inputs ({@link HiddenLayer}) instead of a dense product over every input; the
 * one dense product left scores the valid actions for an argmax, as an sgemm over the union of the batch's masks
 * ({@link ActionPicker}); everything that touches only the taken actions (their Q-values, their output-layer gradient
 * rows, a lazy Adam step on those rows) runs one action at a time. One update:
 *
 * <pre>
 *   a*   = argmax_{a ∈ mask(s')} Q(s', a; θ)                       (double DQN: online net picks)
 *   y    = Rⁿ + γⁿ·(1 − done) · Q(s', a*; θ⁻)                       (target net evaluates)
 *   loss = mean_i w_i · huber_δ(Q(s_i, a_i; θ) − y_i)
 *        + λ · mean_{i demonstrated} w_i · (max_a [Q(s_i, a) + m·1(a ≠ a_i)] − Q(s_i, a_i))   (DQfD's margin)
 * </pre>
 *
 * then gradients for W1 (non-zero on the rows of the batch's active inputs only), b1, and the rows of W2/b2 of the
 * taken actions only, global-norm clipping, Adam (dense for the hidden layer, lazy for the output rows), and the
 * target update (hard copy every N updates, or Polyak τ). With input dropout on, the states s (not s') first lose a
 * random share of their active inputs, the rest scaled up (inverted dropout). Rⁿ and γⁿ·(1 − done) arrive per row in the {@link Batch} ({@code returns}, {@code discounts}), as the
 * n-step assembler computed them: the update itself reads neither γ nor n. With the dueling head,
 * Q(s,a) = V(s) + A(s,a) − mean_{a'∈mask(s)} A(s,a'), where A is the output layer and V = v·h + b_v: the gradient
 * then also reaches the rows of the state's valid actions and v. Published weights fold V into the output layer
 * (w_a + v, b_a + b_v): the per-state mean is a constant shift that changes neither argmax nor softmax, so actors
 * serve it unchanged. Not thread-safe: one training thread owns it.
 *
 * <p>The parts: {@link Parameters} (online, target), {@link HiddenLayer} (the first layer, forward and backward),
 * {@link QHead} and {@link DuelingHead} (Q-values one action at a time), {@link ActionPicker} (a*), {@link Gradients}
 * (the backward pass down to the hidden layer), {@link AdamOptimizer}.
 */
public final class DqnUpdate {

    private static final long DROPOUT_SEED = 17;

    private final DqnConfig cfg;
    private final QNetworkSpec spec;
    private final int in;
    private final int b;

    private final Parameters online;
    private final Parameters target;
    private final HiddenLayer firstLayer;
    private final QHead head;
    private final ActionPicker picker;       // a* on the next states
    private final ActionPicker rivalPicker;  // the demonstration margin's rival on the current states
    private final Gradients gradients;
    private final AdamOptimizer optimizer;

    // Hidden layers, B × hidden each: of s (online; and before the ReLU) and of s' (online, for double DQN's pick,
    // and target).
    private final float[] hidPre;
    private final float[] hid;
    private final float[] hidNext;
    private final float[] hidNextTarget;
    private final boolean[] bootstraps; // rows whose target bootstraps from Q(s', a*)

    private final float[] td;     // δ_i = Q(s_i, a_i) − y_i
    private final float[] dLossDq; // dL/dQ(s_i, a_i)
    private final int[] marginAction; // the demonstration margin's rival action per row, −1 for none
    private final float[] marginDq;   // its weight λ·w_i/B
    private long updates;
    private final SplittableRandom dropout = new SplittableRandom(DROPOUT_SEED); // fixed: an update is reproducible
    /** Off in tests only, to check the per-action path against the dense one. */
    boolean gatherValidColumns = true;
    /** Off in tests only, to check the sparse first layer against the dense products. */
    boolean sumActiveRows = true;
    /** Whether the last update scored the valid actions one by one (true) or through the dense product. */
    boolean lastUpdateGathered;

    public DqnUpdate(DqnConfig cfg, QNetworkWeights init) {
        this.cfg = cfg;
        this.spec = init.spec();
        this.in = spec.inputs();
        this.b = cfg.batchSize();
        int h = spec.hidden();
        this.online = Parameters.of(init);
        this.target = Parameters.of(init);
        this.firstLayer = new HiddenLayer(spec, b);
        this.head = new QHead(spec, cfg.dueling());
        this.picker = new ActionPicker(head, spec, b);
        this.rivalPicker = new ActionPicker(head, spec, b);
        this.gradients = new Gradients(spec, b, cfg.dueling());
        this.optimizer = new AdamOptimizer(cfg, spec);
        this.hidPre = new float[b * h];
        this.hid = new float[b * h];
        this.hidNext = new float[b * h];
        this.hidNextTarget = new float[b * h];
        this.bootstraps = new boolean[b];
        this.td = new float[b];
        this.dLossDq = new float[b];
        this.marginAction = new int[b];
        this.marginDq = new float[b];
    }

    public long updates() {
        return updates;
    }

    public DqnConfig config() {
        return cfg;
    }

    public UpdateStats update(Batch batch) {
        requireShape(batch);
        // Forward: the hidden layers of s (online) and s' (target; online too when it picks a*, from s's by the few
        // inputs that differ).
        if (cfg.inputDropout() > 0) {
            dropInputs(batch.states);
        }
        firstLayer.forward(batch.states, online, hidPre, hid, sumActiveRows);
        firstLayer.forward(batch.nextStates, target, null, hidNextTarget, sumActiveRows);
        if (cfg.doubleDqn() && cfg.inputDropout() > 0) {
            firstLayer.forward(batch.nextStates, online, null, hidNext, sumActiveRows); // s' is whole, s is not
        } else if (cfg.doubleDqn()) {
            firstLayer.forwardFrom(batch.states, hidPre, batch.nextStates, online, hidNext, sumActiveRows);
        }
        // Score the valid actions of the next states that bootstrap, with the net that picks a* (double DQN: the
        // online one), and of the demonstrated states, for the margin's rival.
        for (int i = 0; i < b; i++) {
            // A row with discount γⁿ(1 − done) = 0, or no valid next action, does not bootstrap and needs no argmax.
            bootstraps[i] = batch.discounts[i] != 0f && (batch.nextMasks[i] == null || batch.nextMasks[i].length > 0);
        }
        lastUpdateGathered = cfg.doubleDqn()
                ? picker.prepare(bootstraps, batch.nextMasks, hidNext, online, gatherValidColumns)
                : picker.prepare(bootstraps, batch.nextMasks, hidNextTarget, target, gatherValidColumns);
        if (cfg.demonstrationWeight() > 0) {
            rivalPicker.prepare(batch.demonstrations, batch.masks, hid, online, gatherValidColumns);
        }

        double loss = 0;
        double marginLoss = 0;
        float margin = (float) cfg.demonstrationMargin();
        double sumQ = 0;
        double sumAbsTd = 0;
        float kappa = (float) cfg.huberDelta();
        for (int i = 0; i < b; i++) {
            // Target: y = Rⁿ + γⁿ(1 − done)·Q(s', a*; θ⁻); the batch's discount is γⁿ(1 − done).
            int[] nextMask = batch.nextMasks[i];
            float qNext = bootstraps[i] ? head.q(hidNextTarget, i, target, picker.argmax(i, nextMask), nextMask) : 0f;
            float y = batch.returns[i] + batch.discounts[i] * qNext;
            // Loss: w_i · huber(δ_i), δ_i = Q(s_i, a_i) − y_i, and its derivative with respect to Q(s_i, a_i).
            float q = head.q(hid, i, online, batch.actions[i], batch.masks[i]);
            float delta = q - y;
            td[i] = delta;
            loss += batch.weights[i] * Huber.loss(delta, kappa);
            dLossDq[i] = batch.weights[i] * Huber.slope(delta, kappa) / b;
            sumQ += q;
            sumAbsTd += Math.abs(delta);
            // Demonstrations (DQfD): max_a [Q(s,a) + m·1(a ≠ a_E)] − Q(s, a_E), so the demonstrated action stays
            // the greedy one by a margin; zero once it does.
            marginAction[i] = -1;
            if (batch.demonstrations[i] && cfg.demonstrationWeight() > 0) {
                int rival = rivalPicker.argmaxWithMargin(i, batch.masks[i], batch.actions[i], margin);
                if (rival != batch.actions[i]) {
                    marginAction[i] = rival;
                    marginDq[i] = (float) cfg.demonstrationWeight() * batch.weights[i] / b;
                    marginLoss += head.advantage(hid, i, online, rival) + margin
                            - head.advantage(hid, i, online, batch.actions[i]);
                }
            }
        }

        // Step: backward (down to the hidden layer, then into W1's active rows), global-norm clipping, Adam, then the
        // target network (Polyak τ, or a copy every N).
        gradients.backward(batch, dLossDq, marginAction, marginDq, hid, online, head.dueling);
        firstLayer.backward(batch.states, gradients, sumActiveRows);
        double gradNorm = Math.sqrt(gradients.sumOfSquares(cfg.dueling()));
        optimizer.step(online, gradients, AdamOptimizer.clipScale(gradNorm, cfg.maxGradNorm()), ++updates, cfg.dueling());
        if (cfg.tau() > 0) {
            target.polyak(online, cfg.tau());
        } else if (updates % cfg.targetSyncEvery() == 0) {
            target.copyFrom(online);
        }
        return new UpdateStats((loss + cfg.demonstrationWeight() * marginLoss) / b, sumQ / b, sumAbsTd / b, gradNorm, td.clone());
    }

    /** Inverted dropout on the states' active inputs: each kept with probability 1 − p and scaled by 1/(1 − p). */
    private void dropInputs(SparseRows states) {
        float p = (float) cfg.inputDropout();
        float keep = 1f / (1f - p);
        for (int k = 0, n = states.nonZeros(); k < n; k++) {
            states.values[k] = dropout.nextFloat() < p ? 0f : states.values[k] * keep;
        }
    }

    private void requireShape(Batch batch) {
        if (batch.size != b || batch.inputs != in) {
            throw new IllegalArgumentException("batch shape " + batch.size + "x" + batch.inputs + " does not match " + b + "x" + in);
        }
        if (batch.states.rows() != b || batch.nextStates.rows() != b) {
            throw new IllegalArgumentException("batch holds " + batch.states.rows() + " states and "
                    + batch.nextStates.rows() + " next states, not " + b);
        }
    }

    /** The online network as actors serve it (with the dueling head, V folded into the output layer). */
    public QNetworkWeights onlineWeights() {
        QNetworkWeights raw = online.toWeights(spec);
        return cfg.dueling() ? DuelingHead.fold(raw, online.vector()) : raw;
    }

    public QNetworkWeights targetWeights() {
        return target.toWeights(spec);
    }

    /** Everything the update holds, for checkpoints and rollbacks (raw: the dueling head unfolded). */
    public State state() {
        Parameters adamM = optimizer.m;
        Parameters adamV = optimizer.v;
        return new State(online.toWeights(spec), target.toWeights(spec), adamM.toWeights(spec), adamV.toWeights(spec),
                online.vector(), target.vector(), adamM.vector(), adamV.vector(), updates);
    }

    /** Restores a {@link #state()}. */
    public void restore(State s) {
        online.set(s.online());
        target.set(s.target());
        optimizer.m.set(s.adamM());
        optimizer.v.set(s.adamV());
        online.setVector(s.onlineV());
        target.setVector(s.targetV());
        optimizer.m.setVector(s.adamMV());
        optimizer.v.setVector(s.adamVV());
        this.updates = s.updates();
    }

    /**
     * Starts again from served weights (the champion's, after its challenger was rolled back): online and target
     * both take them, the dueling head's V restarts at zero (served weights hold it folded into the output layer, so
     * Q is exactly the served one), and Adam's moments are cleared, as they belonged to the abandoned weights. The
     * update count goes on (it orders checkpoints and schedules).
     */
    public void resetTo(QNetworkWeights served) {
        if (!served.spec().equals(spec)) {
            throw new IllegalArgumentException("weights of shape " + served.spec() + " do not fit this network " + spec);
        }
        QNetworkWeights zero = new QNetworkWeights(spec, new float[served.w1().length], new float[served.b1().length],
                new float[served.w2().length], new float[served.b2().length]);
        online.set(served);
        target.set(served);
        optimizer.m.set(zero);
        optimizer.v.set(zero);
        float[] noHead = new float[online.vector().length];
        online.setVector(noHead);
        target.setVector(noHead);
        optimizer.m.setVector(noHead);
        optimizer.v.setVector(noHead);
    }

    /** Replaces the online and target weights only (tests). */
    public void load(QNetworkWeights onlineWeights, QNetworkWeights targetWeights) {
        online.set(onlineWeights);
        target.set(targetWeights);
    }

    /**
     * The update's complete state. {@code *V} vectors hold the dueling head's v and, last, b_v (length hidden + 1;
     * zeros without the head).
     */
    public record State(QNetworkWeights online, QNetworkWeights target, QNetworkWeights adamM, QNetworkWeights adamV,
                        float[] onlineV, float[] targetV, float[] adamMV, float[] adamVV, long updates) {
    }
}
