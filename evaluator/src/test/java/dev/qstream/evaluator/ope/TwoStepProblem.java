package dev.qstream.evaluator.ope;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A short-horizon problem whose answer is known exactly: a context c (one of three, uniform), then two decisions of
 * three actions each; the second decision's state is (c, a0). Mean rewards are fixed tables, observed with uniform
 * noise; both policies are fixed tables too, so the value of any policy is a finite sum. Rewards stay non-negative,
 * which fixes the direction of the clipping bias.
 */
final class TwoStepProblem {

    static final int CONTEXTS = 3;
    static final int ACTIONS = 3;
    static final double NOISE = 0.2;

    /** Mean reward of the first decision, [c][a0], and of the second, [c][a0][a1]; all in [0.3, 1]. */
    final double[][] firstReward = new double[CONTEXTS][ACTIONS];
    final double[][][] secondReward = new double[CONTEXTS][ACTIONS][ACTIONS];
    final double gamma;

    TwoStepProblem(double gamma) {
        this.gamma = gamma;
        SplittableRandom tables = new SplittableRandom(7);
        for (int c = 0; c < CONTEXTS; c++) {
            for (int a = 0; a < ACTIONS; a++) {
                firstReward[c][a] = 0.3 + 0.7 * tables.nextDouble();
                for (int b = 0; b < ACTIONS; b++) {
                    secondReward[c][a][b] = 0.3 + 0.7 * tables.nextDouble();
                }
            }
        }
    }

    /** A policy as probability tables: first[c][a0] and second[c][a0][a1]. */
    record Policy(double[][] first, double[][][] second) {

        /** Every state gets {@code probabilities}, rotated by the state so that different states prefer different actions. */
        static Policy rotating(double... probabilities) {
            double[][] first = new double[CONTEXTS][ACTIONS];
            double[][][] second = new double[CONTEXTS][ACTIONS][ACTIONS];
            for (int c = 0; c < CONTEXTS; c++) {
                for (int a = 0; a < ACTIONS; a++) {
                    first[c][a] = probabilities[(a + c) % ACTIONS];
                    for (int b = 0; b < ACTIONS; b++) {
                        second[c][a][b] = probabilities[(b + c + a) % ACTIONS];
                    }
                }
            }
            return new Policy(first, second);
        }
    }

    /** The second decision's value under π: Σ_{a1} π(a1|c,a0)·R1. */
    double secondValue(Policy pi, int c, int a0) {
        double v = 0;
        for (int b = 0; b < ACTIONS; b++) {
            v += pi.second()[c][a0][b] * secondReward[c][a0][b];
        }
        return v;
    }

    /** Q^π of the first decision: R0 + γ·V1. */
    double firstQ(Policy pi, int c, int a0) {
        return firstReward[c][a0] + gamma * secondValue(pi, c, a0);
    }

    double firstValue(Policy pi, int c) {
        double v = 0;
        for (int a = 0; a < ACTIONS; a++) {
            v += pi.first()[c][a] * firstQ(pi, c, a);
        }
        return v;
    }

    /** The exact value of π: the mean over contexts of its first state's value. */
    double trueValue(Policy pi) {
        double v = 0;
        for (int c = 0; c < CONTEXTS; c++) {
            v += firstValue(pi, c) / CONTEXTS;
        }
        return v;
    }

    /**
     * Episodes logged by μ, judged by π. With {@code exactModel} the candidate's Q̂ and V̂ are π's true values;
     * without, they are 0 (a model that knows nothing).
     */
    List<LoggedEpisode> log(Policy mu, Policy pi, boolean exactModel, int episodes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedEpisode> out = new ArrayList<>();
        for (int i = 0; i < episodes; i++) {
            int c = random.nextInt(CONTEXTS);
            int a0 = sample(mu.first()[c], random);
            int a1 = sample(mu.second()[c][a0], random);
            double r0 = firstReward[c][a0] + noise(random);
            double r1 = secondReward[c][a0][a1] + noise(random);
            LoggedStep first = new LoggedStep(mu.first()[c][a0], r0, pi.first()[c][a0],
                    exactModel ? firstQ(pi, c, a0) : 0, exactModel ? firstValue(pi, c) : 0);
            LoggedStep second = new LoggedStep(mu.second()[c][a0][a1], r1, pi.second()[c][a0][a1],
                    exactModel ? secondReward[c][a0][a1] : 0, exactModel ? secondValue(pi, c, a0) : 0);
            out.add(new LoggedEpisode(List.of(first, second)));
        }
        return out;
    }

    private static double noise(SplittableRandom random) {
        return NOISE * (2 * random.nextDouble() - 1);
    }

    private static int sample(double[] probabilities, SplittableRandom random) {
        double u = random.nextDouble();
        double acc = 0;
        for (int a = 0; a < probabilities.length; a++) {
            acc += probabilities[a];
            if (u < acc) {
                return a;
            }
        }
        return probabilities.length - 1;
    }
}
