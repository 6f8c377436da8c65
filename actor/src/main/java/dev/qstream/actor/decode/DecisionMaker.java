package dev.qstream.actor.decode;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.text.Vocabulary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Makes a batch of decisions with one policy (so no batch mixes versions): each state's hidden layer as a sum of the
 * rows of its active inputs, then Q only where needed — the listed actions for explicit masks (k dot products),
 * or every action for ALL/TOP_K masks, where the states of the batch share one gemm against the output matrix
 * (10 MB of weights read once per batch instead of once per state).
 */
final class DecisionMaker {

    private DecisionMaker() {
    }

    static Decision[] decide(ServingPolicy policy, List<StepRequest> requests) {
        long start = System.nanoTime();
        QFunction q = policy.q();
        int hidden = q.hiddenSize();
        int n = requests.size();
        float[][] h = new float[n][hidden];
        int wide = 0;
        for (int i = 0; i < n; i++) {
            StepRequest r = requests.get(i);
            q.hidden(policy.encoder().encode(r.prompt(), r.prefix(), r.prefixLength()), h[i]);
            if (!r.mask().explicit()) {
                wide++;
            }
        }
        float[][] allQ = wide > 0 ? allActionValues(policy, requests, h, wide) : null;
        Decision[] out = new Decision[n];
        for (int i = 0; i < n; i++) {
            StepRequest r = requests.get(i);
            ActionMasker.Mask mask = r.mask();
            int[] actions;
            float[] values;
            if (mask.explicit()) {
                actions = mask.actions();
                values = new float[actions.length];
                q.q(h[i], actions, values);
            } else {
                actions = candidates(allQ[i], mask);
                values = new float[actions.length];
                for (int k = 0; k < actions.length; k++) {
                    values[k] = allQ[i][actions[k]];
                }
            }
            ActionSelector.Choice choice = ActionSelector.choose(values, actions.length, r.exploration(), r.random());
            int[] recorded = mask.explicit() || mask.topK() > 0 ? actions : null;
            out[i] = new Decision(actions[choice.index()], choice.probability(), policy.version(), recorded,
                    (System.nanoTime() - start) / n);
        }
        return out;
    }

    /** Q(s, ·) for every state whose mask is not explicit: one gemm when the output matrix is there. */
    private static float[][] allActionValues(ServingPolicy policy, List<StepRequest> requests, float[][] h, int wide) {
        QFunction q = policy.q();
        int actions = policy.model().spec().actions();
        int hidden = q.hiddenSize();
        float[][] result = new float[requests.size()][];
        INDArray w2 = policy.outputMatrix();
        if (w2 == null) {
            for (int i = 0; i < requests.size(); i++) {
                if (!requests.get(i).mask().explicit()) {
                    result[i] = new float[actions];
                    q.qAll(h[i], result[i]);
                }
            }
            return result;
        }
        int[] rows = new int[wide];
        float[] packed = new float[wide * hidden];
        for (int i = 0, k = 0; i < requests.size(); i++) {
            if (!requests.get(i).mask().explicit()) {
                rows[k] = i;
                System.arraycopy(h[i], 0, packed, k * hidden, hidden);
                k++;
            }
        }
        INDArray hMatrix = Nd4j.create(packed, new long[]{wide, hidden}, 'c');
        INDArray qMatrix = Nd4j.create(DataType.FLOAT, wide, actions);
        try {
            Nd4j.gemm(hMatrix, w2, qMatrix, false, true, 1.0, 0.0);
            // The view does not keep the matrix alive; ND4J frees its native memory once the collector finds the
            // matrix unreachable, which compiled code may decide right after this line. Hence the fences below.
            FloatBuffer view = qMatrix.data().asNioFloat();
            float[] b2 = policy.model().weights().b2();
            for (int k = 0; k < wide; k++) {
                float[] row = new float[actions];
                view.get(k * actions, row);
                for (int a = 0; a < actions; a++) {
                    row[a] += b2[a];
                }
                result[rows[k]] = row;
            }
            return result;
        } finally {
            Reference.reachabilityFence(hMatrix);
            Reference.reachabilityFence(qMatrix);
            Reference.reachabilityFence(w2);
        }
    }

    /** Every token but the special and excluded ones, or (TOP_K) the k best of them plus end-of-sequence. */
    private static int[] candidates(float[] allQ, ActionMasker.Mask mask) {
        int actions = allQ.length;
        int[] excluded = mask.excluded() == null ? new int[0] : mask.excluded();
        int[] ids = new int[actions - Vocabulary.SPECIAL_TOKENS + 1];
        int n = 0;
        ids[n++] = Vocabulary.EOS_ID;
        for (int a = Vocabulary.SPECIAL_TOKENS; a < actions; a++) {
            if (Arrays.binarySearch(excluded, a) < 0) {
                ids[n++] = a;
            }
        }
        if (mask.topK() <= 0 || n <= mask.topK() + 1) {
            return Arrays.copyOf(ids, n);
        }
        // Partial selection of the k best (EOS is always kept), then sorted ids for the record.
        int k = mask.topK();
        int[] best = new int[k];
        float[] bestQ = new float[k];
        int filled = 0;
        for (int i = 1; i < n; i++) {
            int a = ids[i];
            float v = allQ[a];
            if (filled < k) {
                best[filled] = a;
                bestQ[filled++] = v;
                continue;
            }
            int min = 0;
            for (int j = 1; j < k; j++) {
                if (bestQ[j] < bestQ[min]) {
                    min = j;
                }
            }
            if (v > bestQ[min]) {
                best[min] = a;
                bestQ[min] = v;
            }
        }
        int[] out = Arrays.copyOf(best, k + 1);
        out[k] = Vocabulary.EOS_ID;
        Arrays.sort(out);
        return out;
    }
}
