package dev.qstream.actor.generation;

/**
 * ε decays linearly from {@code start} to {@code end} over {@code decayEpisodes} episodes, then stays at
 * {@code end}: explore a lot while the model knows nothing, keep exploring a little forever (the data is live).
 */
public record EpsilonSchedule(double start, double end, long decayEpisodes) {

    public EpsilonSchedule {
        if (!(start >= 0 && start <= 1 && end >= 0 && end <= 1) || decayEpisodes < 0) {
            throw new IllegalArgumentException("epsilon schedule needs start, end in [0, 1] and decayEpisodes >= 0");
        }
    }

    public double at(long episode) {
        if (decayEpisodes == 0 || episode >= decayEpisodes) {
            return end;
        }
        return start + (end - start) * ((double) episode / decayEpisodes);
    }
}
