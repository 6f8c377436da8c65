package dev.qstream.actor.decode;

import dev.qstream.schemas.avro.ExplorationStrategy;

/**
 * How an episode explores: the strategy and its parameter (ε for ε-greedy, the temperature for Boltzmann).
 *
 * @param epsilon     probability of a uniformly random valid action (ε-greedy)
 * @param temperature softmax temperature (Boltzmann); lower is greedier
 */
public record Exploration(ExplorationStrategy strategy, double epsilon, double temperature) {

    public Exploration {
        if (strategy == null || strategy == ExplorationStrategy.UNKNOWN) {
            throw new IllegalArgumentException("exploration strategy must be GREEDY, EPSILON_GREEDY or BOLTZMANN");
        }
        if (!(epsilon >= 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("epsilon must be in [0, 1], got " + epsilon);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
        }
    }

    public static Exploration greedy() {
        return new Exploration(ExplorationStrategy.GREEDY, 0, 1);
    }

    public static Exploration epsilonGreedy(double epsilon) {
        return new Exploration(ExplorationStrategy.EPSILON_GREEDY, epsilon, 1);
    }

    public static Exploration boltzmann(double temperature) {
        return new Exploration(ExplorationStrategy.BOLTZMANN, 0, temperature);
    }
}
