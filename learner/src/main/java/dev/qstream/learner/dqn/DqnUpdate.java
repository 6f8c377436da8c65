package dev.qstream.learner.dqn;

import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The DQN update, written directly on ND4J for speed (DL4J's {@code fit} reaches 15–30% of the sgemm roofline on
 * this net). The dense products run as {@code Nd4j.gemm} into preallocated arrays; everything that touches only
 * the taken actions (their Q-values, their output-layer gradient rows, a lazy Adam step on those rows) runs on
 * direct views of the same memory. One update:
 *
 * <pre>
 *   a*   = argmax_{a ∈ mask(s')} Q(s', a; θ)                       (double DQN: online net picks)
 *   y    = Rⁿ + γⁿ·(1 − done) · Q(s', a*; θ⁻)                       (target net evaluates)
 *   loss = mean_i w_i · huber_δ(Q(s_i, a_i; θ) − y_i)
 * </pre>
 *
 * then gradients for W1, b1 (dense) and for the rows of W2/b2 of the taken actions only, global-norm clipping,
 * Adam (dense for the hidden layer, lazy for the output rows), and the target update (hard copy every N updates, or
 * Polyak τ). With the dueling head, Q(s,a) = V(s) + A(s,a) − mean_{a'∈mask(s)} A(s,a'), where A is the output
 * layer and V = v·h + b_v: the gradient then also reaches the rows of the state's valid actions and v. Published
 * weights fold V into the output layer (w_a + v, b_a + b_v): the per-state mean is a constant shift that changes
 * neither argmax nor softmax, so actors serve it unchanged. Not thread-safe: one training thread owns it.
 */
public final class DqnUpdate {

    private final DqnConfig cfg;
    private final QNetworkSpec spec;
    private final int in;
    private final int h;
    private final int actions;
    private final int b;

    private final Params online;
    private final Params target;
    private final Params adamM;
    private final Params adamV;

    private final INDArray x;
    private final INDArray xNext;
    private final INDArray hid;
    private final INDArray hidNext;
    private final INDArray hidNextTarget;
    private final INDArray qNext;
    private final INDArray dHid;
    private final INDArray gW1;
    private final FloatBuffer xView;
    private final FloatBuffer xNextView;
    private final FloatBuffer hidView;
    private final FloatBuffer hidNextView;
    private final FloatBuffer hidNextTargetView;
    private final FloatBuffer qNextView;
    private final FloatBuffer dHidView;
    private final FloatBuffer gW1View;

    private final float[] gb1;
    private final float[] gv;
    private final float[] gW2Rows;   // gradient rows of the output-layer rows touched this update
    private final int[] rowAction;   // action of each gradient row
    private final float[] gb2Rows;
    private final int[] rowOfAction; // action -> gradient row, -1 when untouched this update
    private final float[] meanRow;   // scratch: mean of W2 over a mask
    private final float[] td;
    private int rows;
    private long updates;
    /** Off in tests only, to check the per-action path against the dense one. */
    boolean gatherValidColumns = true;
    /** Whether the last update scored the valid actions one by one (true) or through the dense product. */
    boolean lastUpdateGathered;

    public DqnUpdate(DqnConfig cfg, QNetworkWeights init) {
        this.cfg = cfg;
        this.spec = init.spec();
        this.in = spec.inputs();
        this.h = spec.hidden();
        this.actions = spec.actions();
        this.b = cfg.batchSize();
        this.online = Params.of(init);
        this.target = Params.of(init);
        this.adamM = Params.zeros(spec);
        this.adamV = Params.zeros(spec);
        this.x = Nd4j.create(DataType.FLOAT, b, in);
        this.xNext = Nd4j.create(DataType.FLOAT, b, in);
        this.hid = Nd4j.create(DataType.FLOAT, b, h);
        this.hidNext = Nd4j.create(DataType.FLOAT, b, h);
        this.hidNextTarget = Nd4j.create(DataType.FLOAT, b, h);
        this.qNext = Nd4j.create(DataType.FLOAT, b, actions);
        this.dHid = Nd4j.create(DataType.FLOAT, b, h);
        this.gW1 = Nd4j.create(DataType.FLOAT, in, h);
        this.xView = view(x);
        this.xNextView = view(xNext);
        this.hidView = view(hid);
        this.hidNextView = view(hidNext);
        this.hidNextTargetView = view(hidNextTarget);
        this.qNextView = view(qNext);
        this.dHidView = view(dHid);
        this.gW1View = view(gW1);
        this.gb1 = new float[h];
        this.gv = new float[h + 1];
        int maxRows = cfg.dueling() ? actions : b; // dueling touches every valid action's row
        this.gW2Rows = new float[maxRows * h];
        this.rowAction = new int[maxRows];
        this.gb2Rows = new float[maxRows];
        this.rowOfAction = new int[actions];
        Arrays.fill(rowOfAction, -1);
        this.meanRow = new float[h];
        this.td = new float[b];
    }

    public long updates() {
        return updates;
    }

    public QNetworkSpec spec() {
        return spec;
    }

    public DqnConfig config() {
        return cfg;
    }

    public UpdateStats update(Batch batch) {
        if (batch.size != b || batch.inputs != in) {
            throw new IllegalArgumentException("batch shape " + batch.size + "x" + batch.inputs + " does not match " + b + "x" + in);
        }
        xView.put(0, batch.states, 0, b * in);
        xNextView.put(0, batch.nextStates, 0, b * in);

        // Forward: hidden layers of s (online), s' (online and target); Q(s', ·) for the argmax.
        forwardHidden(x, online, hid, hidView);
        forwardHidden(xNext, online, hidNext, hidNextView);
        forwardHidden(xNext, target, hidNextTarget, hidNextTargetView);
        // The argmax over s' needs A(s', a) only for the valid actions recorded with each transition. With the
        // actors' masks (tens of actions out of 10,000) one dot product per valid action is ~100x less work than
        // the dense product; with every action valid the dense product (sgemm) wins. V and the mean never change it.
        Params picker = cfg.doubleDqn() ? online : target;
        FloatBuffer pickerHidden = cfg.doubleDqn() ? hidNextView : hidNextTargetView;
        boolean gather = gatherValidColumns && validActionsToScore(batch) * 8L <= (long) b * actions;
        lastUpdateGathered = gather;
        if (!gather) {
            // A(s', ·) without the output bias; argmax adds b2[a] as it scans.
            Nd4j.gemm(cfg.doubleDqn() ? hidNext : hidNextTarget, picker.w2, qNext, false, true, 1.0, 0.0);
        }

        // TD errors and the loss gradient with respect to Q(s_i, a_i).
        double loss = 0;
        double sumQ = 0;
        double sumAbsTd = 0;
        float kappa = (float) cfg.huberDelta();
        float[] g = new float[b];
        for (int i = 0; i < b; i++) {
            float qTarget = 0f; // a terminal step (discount 0) does not bootstrap: no argmax needed
            int[] nextMask = batch.nextMasks[i];
            if (batch.discounts[i] != 0f && (nextMask == null || nextMask.length > 0)) {
                int aStar = gather
                        ? maskedArgmax(pickerHidden, i, picker, batch.nextMasks[i])
                        : argmax(qNextView, i * actions, picker.b2View, batch.nextMasks[i]);
                qTarget = advantage(hidNextTargetView, i, target, aStar);
                if (cfg.dueling()) {
                    qTarget += value(hidNextTargetView, i, target) - meanAdvantage(hidNextTargetView, i, target, batch.nextMasks[i]);
                }
            }
            float y = batch.returns[i] + batch.discounts[i] * qTarget;
            int a = batch.actions[i];
            float q = advantage(hidView, i, online, a);
            if (cfg.dueling()) {
                q += value(hidView, i, online) - meanAdvantage(hidView, i, online, batch.masks[i]);
            }
            float delta = q - y;
            td[i] = delta;
            float ad = Math.abs(delta);
            loss += batch.weights[i] * (ad <= kappa ? 0.5 * delta * delta : kappa * (ad - 0.5 * kappa));
            g[i] = batch.weights[i] * Math.max(-kappa, Math.min(kappa, delta)) / b;
            sumQ += q;
            sumAbsTd += ad;
        }

        // Backward through the taken actions only (plus, with the dueling head, the state's valid actions and v).
        rows = 0;
        Arrays.fill(gb1, 0f);
        Arrays.fill(gv, 0f);
        FloatBuffer w2 = online.w2View;
        for (int i = 0; i < b; i++) {
            float gi = g[i];
            int hRow = i * h;
            int a = batch.actions[i];
            addRowGradient(a, gi, hRow);
            // dQ/dh = w_a (+ v − mean of the masked rows, with the dueling head)
            for (int j = 0; j < h; j++) {
                dHidView.put(hRow + j, w2.get(a * h + j));
            }
            if (cfg.dueling()) {
                int[] mask = batch.masks[i];
                int m = mask == null ? actions : mask.length;
                float share = -gi / m;
                for (int k = 0; k < m; k++) {
                    addRowGradient(mask == null ? k : mask[k], share, hRow);
                }
                maskedMeanRow(online, mask);
                for (int j = 0; j < h; j++) {
                    float hj = hidView.get(hRow + j);
                    gv[j] += gi * hj;
                    dHidView.put(hRow + j, dHidView.get(hRow + j) + online.vView.get(j) - meanRow[j]);
                }
                gv[h] += gi;
            }
            for (int j = 0; j < h; j++) {
                float d = hidView.get(hRow + j) > 0f ? gi * dHidView.get(hRow + j) : 0f;
                dHidView.put(hRow + j, d);
                gb1[j] += d;
            }
        }
        Nd4j.gemm(x, dHid, gW1, true, false, 1.0, 0.0); // gW1 = xᵀ · dHid

        // Global-norm clipping.
        double norm2 = sumSquares(gW1View, in * h) + sumSquares(gb1, h) + sumSquares(gW2Rows, rows * h)
                + sumSquares(gb2Rows, rows) + (cfg.dueling() ? sumSquares(gv, h + 1) : 0);
        double gradNorm = Math.sqrt(norm2);
        float scale = cfg.maxGradNorm() > 0 && gradNorm > cfg.maxGradNorm() ? (float) (cfg.maxGradNorm() / gradNorm) : 1f;

        // Adam: dense for layer 1 (and v), lazy (touched rows only) for the output layer.
        updates++;
        double bc1 = 1 - Math.pow(cfg.adamBeta1(), updates);
        double bc2 = 1 - Math.pow(cfg.adamBeta2(), updates);
        float stepSize = (float) (cfg.learningRate() * Math.sqrt(bc2) / bc1);
        step(online.w1View, adamM.w1View, adamV.w1View, 0, gW1View, 0, in * h, scale, stepSize);
        step(online.b1View, adamM.b1View, adamV.b1View, 0, FloatBuffer.wrap(gb1), 0, h, scale, stepSize);
        FloatBuffer gW2 = FloatBuffer.wrap(gW2Rows);
        FloatBuffer gb2 = FloatBuffer.wrap(gb2Rows);
        for (int r = 0; r < rows; r++) {
            int a = rowAction[r];
            step(online.w2View, adamM.w2View, adamV.w2View, a * h, gW2, r * h, h, scale, stepSize);
            step(online.b2View, adamM.b2View, adamV.b2View, a, gb2, r, 1, scale, stepSize);
            rowOfAction[a] = -1;
        }
        if (cfg.dueling()) {
            step(online.vView, adamM.vView, adamV.vView, 0, FloatBuffer.wrap(gv), 0, h + 1, scale, stepSize);
        }

        // Target network.
        if (cfg.tau() > 0) {
            target.polyak(online, cfg.tau());
        } else if (updates % cfg.targetSyncEvery() == 0) {
            target.copyFrom(online);
        }
        return new UpdateStats(loss / b, sumQ / b, sumAbsTd / b, gradNorm, td.clone());
    }

    /** Accumulates scale·h_i into the gradient row of action a (b2 gets scale). */
    private void addRowGradient(int a, float scale, int hRow) {
        int r = rowOfAction[a];
        if (r < 0) {
            r = rows++;
            rowOfAction[a] = r;
            rowAction[r] = a;
            gb2Rows[r] = 0f;
            Arrays.fill(gW2Rows, r * h, r * h + h, 0f);
        }
        gb2Rows[r] += scale;
        int gRow = r * h;
        for (int j = 0; j < h; j++) {
            gW2Rows[gRow + j] += scale * hidView.get(hRow + j);
        }
    }

    /** A(s_i, a) = h_i · w_a + b_a. */
    private float advantage(FloatBuffer hidden, int i, Params p, int a) {
        return dot(hidden, i * h, p.w2View, a * h, h) + p.b2View.get(a);
    }

    /** V(s_i) = h_i · v + b_v (the last entry of the v vector). */
    private float value(FloatBuffer hidden, int i, Params p) {
        return dot(hidden, i * h, p.vView, 0, h) + p.vView.get(h);
    }

    /** Mean of A(s_i, ·) over the mask (null = every action). */
    private float meanAdvantage(FloatBuffer hidden, int i, Params p, int[] mask) {
        int m = mask == null ? actions : mask.length;
        double sum = 0;
        for (int k = 0; k < m; k++) {
            sum += advantage(hidden, i, p, mask == null ? k : mask[k]);
        }
        return (float) (sum / m);
    }

    /** meanRow = mean of the W2 rows over the mask (null = every action). */
    private void maskedMeanRow(Params p, int[] mask) {
        int m = mask == null ? actions : mask.length;
        Arrays.fill(meanRow, 0f);
        for (int k = 0; k < m; k++) {
            int row = (mask == null ? k : mask[k]) * h;
            for (int j = 0; j < h; j++) {
                meanRow[j] += p.w2View.get(row + j);
            }
        }
        for (int j = 0; j < h; j++) {
            meanRow[j] /= m;
        }
    }

    /** One optimizer step on n parameters: Adam, or plain SGD when so configured. */
    private void step(FloatBuffer p, FloatBuffer m, FloatBuffer v, int pOff, FloatBuffer grad, int gOff, int n,
                      float scale, float stepSize) {
        if (cfg.optimizer() == DqnConfig.Optimizer.SGD) {
            float lr = (float) cfg.learningRate();
            for (int k = 0; k < n; k++) {
                p.put(pOff + k, p.get(pOff + k) - lr * scale * grad.get(gOff + k));
            }
            return;
        }
        float b1 = (float) cfg.adamBeta1();
        float b2 = (float) cfg.adamBeta2();
        float eps = (float) cfg.adamEpsilon();
        for (int k = 0; k < n; k++) {
            float gk = grad.get(gOff + k) * scale;
            int idx = pOff + k;
            float mk = b1 * m.get(idx) + (1 - b1) * gk;
            float vk = b2 * v.get(idx) + (1 - b2) * gk * gk;
            m.put(idx, mk);
            v.put(idx, vk);
            p.put(idx, p.get(idx) - stepSize * mk / ((float) Math.sqrt(vk) + eps));
        }
    }

    /**
     * out = relu(input · W1 + b1). The bias and ReLU run on the direct view: as ND4J broadcast/scalar ops they cost
     * more in native dispatch than the arithmetic itself at these sizes.
     */
    private void forwardHidden(INDArray input, Params p, INDArray out, FloatBuffer outView) {
        Nd4j.gemm(input, p.w1, out, false, false, 1.0, 0.0);
        FloatBuffer bias = p.b1View;
        for (int i = 0; i < b; i++) {
            int row = i * h;
            for (int j = 0; j < h; j++) {
                float v = outView.get(row + j) + bias.get(j);
                outView.put(row + j, v > 0f ? v : 0f);
            }
        }
    }

    /** argmax over the mask (null = every action) of q[offset + a] + bias[a]. */
    /** Valid actions over the batch's bootstrapping next states (null mask = every action). */
    private long validActionsToScore(Batch batch) {
        long n = 0;
        for (int i = 0; i < b; i++) {
            if (batch.discounts[i] != 0f) {
                n += batch.nextMasks[i] == null ? actions : batch.nextMasks[i].length;
            }
        }
        return n;
    }

    /** argmax over the mask (null = every action) of A(s_i, a) = h_i · w_a + b_a, one dot product per action. */
    private int maskedArgmax(FloatBuffer hidden, int i, Params p, int[] mask) {
        int m = mask == null ? actions : mask.length;
        int best = mask == null ? 0 : mask[0];
        float bestQ = advantage(hidden, i, p, best);
        for (int k = 1; k < m; k++) {
            int a = mask == null ? k : mask[k];
            float v = advantage(hidden, i, p, a);
            if (v > bestQ) {
                bestQ = v;
                best = a;
            }
        }
        return best;
    }

    private int argmax(FloatBuffer q, int offset, FloatBuffer bias, int[] mask) {
        if (mask == null) {
            int best = 0;
            float bestQ = q.get(offset) + bias.get(0);
            for (int a = 1; a < actions; a++) {
                float v = q.get(offset + a) + bias.get(a);
                if (v > bestQ) {
                    bestQ = v;
                    best = a;
                }
            }
            return best;
        }
        int best = mask[0];
        float bestQ = q.get(offset + best) + bias.get(best);
        for (int k = 1; k < mask.length; k++) {
            float v = q.get(offset + mask[k]) + bias.get(mask[k]);
            if (v > bestQ) {
                bestQ = v;
                best = mask[k];
            }
        }
        return best;
    }

    private static float dot(FloatBuffer a, int aOff, FloatBuffer bBuf, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a.get(aOff + j) * bBuf.get(bOff + j);
            s1 += a.get(aOff + j + 1) * bBuf.get(bOff + j + 1);
            s2 += a.get(aOff + j + 2) * bBuf.get(bOff + j + 2);
            s3 += a.get(aOff + j + 3) * bBuf.get(bOff + j + 3);
        }
        for (; j < n; j++) {
            s0 += a.get(aOff + j) * bBuf.get(bOff + j);
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double sumSquares(FloatBuffer buf, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            float v = buf.get(i);
            s += v * v;
        }
        return s;
    }

    private static double sumSquares(float[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * a[i];
        }
        return s;
    }

    /**
     * The online network as actors serve it: with the dueling head, V is folded into the output layer
     * (w_a + v, b_a + b_v), which is exact up to the per-state mean that neither argmax nor softmax sees.
     */
    public QNetworkWeights onlineWeights() {
        QNetworkWeights raw = online.toWeights(spec);
        if (!cfg.dueling()) {
            return raw;
        }
        float[] w2 = raw.w2().clone();
        float[] b2 = raw.b2().clone();
        float[] v = online.vector();
        for (int a = 0; a < actions; a++) {
            for (int j = 0; j < h; j++) {
                w2[a * h + j] += v[j];
            }
            b2[a] += v[h];
        }
        return new QNetworkWeights(spec, raw.w1(), raw.b1(), w2, b2);
    }

    public QNetworkWeights targetWeights() {
        return target.toWeights(spec);
    }

    /** Everything the update holds, for checkpoints and rollbacks (raw: the dueling head unfolded). */
    public State state() {
        return new State(online.toWeights(spec), target.toWeights(spec), adamM.toWeights(spec), adamV.toWeights(spec),
                online.vector(), target.vector(), adamM.vector(), adamV.vector(), updates);
    }

    /** Restores a {@link #state()}. */
    public void restore(State s) {
        online.set(s.online());
        target.set(s.target());
        adamM.set(s.adamM());
        adamV.set(s.adamV());
        online.setVector(s.onlineV());
        target.setVector(s.targetV());
        adamM.setVector(s.adamMV());
        adamV.setVector(s.adamVV());
        this.updates = s.updates();
    }

    /** Replaces the online and target weights only (tests, and starting from a published model). */
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

    static FloatBuffer view(INDArray array) {
        return array.data().asNioFloat();
    }

    /** One set of parameters (online, target, or an Adam moment) as ND4J arrays plus direct views. */
    private static final class Params {
        final INDArray w1;
        final INDArray b1;
        final INDArray w2;
        final INDArray b2;
        final INDArray v; // dueling head: v then b_v
        final FloatBuffer w1View;
        final FloatBuffer b1View;
        final FloatBuffer w2View;
        final FloatBuffer b2View;
        final FloatBuffer vView;

        private Params(QNetworkSpec spec) {
            w1 = Nd4j.create(DataType.FLOAT, spec.inputs(), spec.hidden());
            b1 = Nd4j.create(DataType.FLOAT, 1, spec.hidden());
            w2 = Nd4j.create(DataType.FLOAT, spec.actions(), spec.hidden());
            b2 = Nd4j.create(DataType.FLOAT, 1, spec.actions());
            v = Nd4j.create(DataType.FLOAT, 1, spec.hidden() + 1);
            w1View = view(w1);
            b1View = view(b1);
            w2View = view(w2);
            b2View = view(b2);
            vView = view(v);
        }

        static Params zeros(QNetworkSpec spec) {
            return new Params(spec);
        }

        static Params of(QNetworkWeights w) {
            Params p = new Params(w.spec());
            p.set(w);
            return p;
        }

        void set(QNetworkWeights w) {
            w1View.put(0, w.w1());
            b1View.put(0, w.b1());
            w2View.put(0, w.w2());
            b2View.put(0, w.b2());
        }

        float[] vector() {
            float[] out = new float[vView.capacity()];
            vView.get(0, out);
            return out;
        }

        void setVector(float[] values) {
            vView.put(0, values);
        }

        void copyFrom(Params other) {
            w1.assign(other.w1);
            b1.assign(other.b1);
            w2.assign(other.w2);
            b2.assign(other.b2);
            v.assign(other.v);
        }

        /** this ← (1 − τ)·this + τ·other, in place on the direct views (no temporaries). */
        void polyak(Params other, double tau) {
            float t = (float) tau;
            mix(w1View, other.w1View, t);
            mix(b1View, other.b1View, t);
            mix(w2View, other.w2View, t);
            mix(b2View, other.b2View, t);
            mix(vView, other.vView, t);
        }

        private static void mix(FloatBuffer self, FloatBuffer other, float tau) {
            for (int i = 0, n = self.capacity(); i < n; i++) {
                self.put(i, self.get(i) + tau * (other.get(i) - self.get(i)));
            }
        }

        QNetworkWeights toWeights(QNetworkSpec spec) {
            float[] a = new float[spec.inputs() * spec.hidden()];
            float[] bb = new float[spec.hidden()];
            float[] c = new float[spec.actions() * spec.hidden()];
            float[] d = new float[spec.actions()];
            w1View.get(0, a);
            b1View.get(0, bb);
            w2View.get(0, c);
            b2View.get(0, d);
            return new QNetworkWeights(spec, a, bb, c, d);
        }
    }
}
