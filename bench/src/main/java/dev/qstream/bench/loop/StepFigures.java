package dev.qstream.bench.loop;

/**
 * What {@code bench loop} measured over one rate step's window (NaN where nothing was there to measure).
 *
 * @param rate                    prompts/s the step asked for
 * @param promptsPerSec           prompts sent per second (by their {@code createdAt})
 * @param answeredPerSec          prompts the actors answered per second (their {@code actor.requests} from the topic)
 * @param transitionsPerSec       transitions produced per second, demonstrations included
 * @param scoredPerSec            scored transitions per second (by {@code scoredAt})
 * @param transitionsDuePerSec    transitions per second produced over the window moved back by the median scorer lag:
 *                                what the scorer had due in the window, so a rate change is not read as a shortfall
 * @param scorerLagP50Seconds     a transition's time from production to its scored record, median
 * @param scorerLagP99Seconds     the same, 99th percentile
 * @param scorerLagFirstP99Seconds its 99th percentile over the first third of the window
 * @param scorerLagGrowthSeconds  99th percentile over the last third minus over the first third
 * @param actorLagP99Seconds      the actors' consumer lag on prompts, in seconds of traffic at the measured rate
 * @param actorLagFirstP99Seconds the same over the first third of the window
 * @param actorLagGrowthSeconds   last third minus first third
 * @param actorTokenP50Micros     per-token decision time (mask, Q-values, selection, batching wait), median
 * @param actorTokenP99Micros     the same, 99th percentile
 * @param keepShareMin            the lowest share of episodes the actors kept for training (1 = all)
 * @param learnerSamplesPerSec    transitions the learner sampled into updates per second (updates × batch)
 * @param learnerInsertsPerSec    transitions inserted into replay per second
 * @param samplesPerInsert        the two divided: the replay ratio the learner actually ran at
 * @param learnerPausedShare      share of the learner's metric samples that found its ingest paused (training behind)
 * @param swaps                   model versions the actors swapped in during the window
 * @param publishToServeP50Millis the actors' publish → serving latency, median (their timer's recent window)
 * @param publishToServeP99Millis the same, 99th percentile
 */
public record StepFigures(double rate, double promptsPerSec, double answeredPerSec, double transitionsPerSec,
                          double scoredPerSec, double transitionsDuePerSec, double scorerLagP50Seconds, double scorerLagP99Seconds,
                          double scorerLagFirstP99Seconds, double scorerLagGrowthSeconds, double actorLagP99Seconds,
                          double actorLagFirstP99Seconds, double actorLagGrowthSeconds, double actorTokenP50Micros,
                          double actorTokenP99Micros, double keepShareMin, double learnerSamplesPerSec,
                          double learnerInsertsPerSec, double samplesPerInsert, double learnerPausedShare, double swaps,
                          double publishToServeP50Millis, double publishToServeP99Millis) {
}
