package dev.qstream.evaluator.ope;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.state.SparseState;
import dev.qstream.policy.state.StateEncoder;
import dev.qstream.schemas.avro.Transition;

import java.util.List;

/**
 * A published model version as the policy being evaluated: ε-greedy over its Q-values, on the same action mask the
 * actor used for the logged step, so π(a|s) = (1−ε)·1[a = argmax_mask Q(s,·)] + ε/|mask|. Its Q-values are the Q̂ of
 * the doubly robust estimator, and V̂(s) = Σ_{a in mask} π(a|s)·Q(s,a). Ties go to the first action of the mask,
 * as the actor breaks them. The state is encoded from the transition's prompt and prefix tokens with the encoder the
 * model's header names, exactly as the actor encoded it.
 */
public final class EpsilonGreedyCandidate {

    public static final double DEFAULT_EPSILON = 0.05;

    private final ModelSnapshot model;
    private final double epsilon;
    private final QFunction q;
    private final StateEncoder encoder;
    private final int[] everyAction;
    private final float[] hidden;

    public EpsilonGreedyCandidate(ModelSnapshot model, double epsilon) {
        if (!(epsilon >= 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("epsilon must be in [0, 1], got " + epsilon);
        }
        this.model = model;
        this.epsilon = epsilon;
        this.q = new QFunction(model.weights());
        this.encoder = new StateEncoder(model.spec().encoder());
        this.everyAction = new int[model.spec().actions()];
        for (int a = 0; a < everyAction.length; a++) {
            everyAction[a] = a;
        }
        this.hidden = new float[q.hiddenSize()];
    }

    public long version() {
        return model.version();
    }

    public double epsilon() {
        return epsilon;
    }

    /**
     * The logged step with the candidate's view of it. Not thread-safe (it reuses one hidden-layer buffer).
     *
     * @param reward the step's reward on {@code qstream.scored}
     * @throws IllegalArgumentException when an action id is outside the candidate's action space (the episode was
     *                                  logged with another vocabulary)
     */
    public LoggedStep judge(Transition t, double reward) {
        int[] mask = t.getValidActions() == null ? everyAction : toArray(t.getValidActions());
        if (mask.length == 0) {
            throw new IllegalArgumentException("an empty action mask (null means every action)");
        }
        checkInActionSpace(t.getAction());
        SparseState state = encoder.encode(t.getPromptTokens(), t.getPrefixTokens());
        q.hidden(state, hidden);
        int best = -1;
        float bestQ = Float.NEGATIVE_INFINITY;
        double meanQ = 0;
        boolean actionInMask = false;
        for (int a : mask) {
            checkInActionSpace(a);
            float qa = q.q(hidden, a);
            if (best < 0 || qa > bestQ) { // strictly greater: the first of equal values wins, as in the actor
                best = a;
                bestQ = qa;
            }
            meanQ += qa;
            actionInMask |= a == t.getAction();
        }
        meanQ /= mask.length;
        double uniform = epsilon / mask.length;
        // An action outside the mask is one the candidate could not have taken: π = 0 (the actor never logs one).
        double pi = !actionInMask ? 0 : (t.getAction() == best ? 1 - epsilon : 0) + uniform;
        double value = (1 - epsilon) * bestQ + epsilon * meanQ;
        return new LoggedStep(t.getBehaviourProbability(), reward, pi, q.q(hidden, t.getAction()), value);
    }

    private void checkInActionSpace(int action) {
        if (action < 0 || action >= everyAction.length) {
            throw new IllegalArgumentException("a logged action id (" + action + ") is outside model version "
                    + model.version() + "'s " + everyAction.length + " actions: the episodes were logged with another vocabulary");
        }
    }

    private static int[] toArray(List<Integer> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }
}
