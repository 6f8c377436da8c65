package dev.qstream.actor.decode;

import dev.qstream.actor.decode.Exploration;
import java.util.SplittableRandom;

/**
 * Picks an action among the valid ones from their Q-values and reports the probability the behaviour policy gave
 * it (recorded for off-policy evaluation).
 */
public final class ActionSelector {

    /** The chosen index into the valid-action array and its behaviour probability. */
    public record Choice(int index, double probability) {
    }

    private ActionSelector() {
    }

    public static Choice choose(float[] q, int n, Exploration exploration, SplittableRandom random) {
        return switch (exploration.strategy()) {
            case GREEDY -> new Choice(argmax(q, n), 1.0);
            case EPSILON_GREEDY -> epsilonGreedy(q, n, exploration.epsilon(), random);
            case BOLTZMANN -> boltzmann(q, n, exploration.temperature(), random);
            default -> throw new IllegalArgumentException("unsupported strategy " + exploration.strategy());
        };
    }

    /** Index of the largest value (the first on ties). */
    public static int argmax(float[] q, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (q[i] > q[best]) {
                best = i;
            }
        }
        return best;
    }

    private static Choice epsilonGreedy(float[] q, int n, double epsilon, SplittableRandom random) {
        int greedy = argmax(q, n);
        int chosen = random.nextDouble() < epsilon ? random.nextInt(n) : greedy;
        double p = epsilon / n + (chosen == greedy ? 1 - epsilon : 0);
        return new Choice(chosen, p);
    }

    private static Choice boltzmann(float[] q, int n, double temperature, SplittableRandom random) {
        // Subtract the max before exponentiating so large Q-values cannot overflow.
        float max = q[argmax(q, n)];
        double[] weights = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp((q[i] - max) / temperature);
            sum += weights[i];
        }
        double u = random.nextDouble() * sum;
        double acc = 0;
        int chosen = n - 1;
        for (int i = 0; i < n; i++) {
            acc += weights[i];
            if (u < acc) {
                chosen = i;
                break;
            }
        }
        return new Choice(chosen, weights[chosen] / sum);
    }
}
