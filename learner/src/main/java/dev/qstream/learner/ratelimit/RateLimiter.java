package dev.qstream.learner.ratelimit;

/**
 * Keeps training in step with the data, like Reverb's SampleToInsertRatio: no samples before {@code minSize}
 * transitions are held; after that, the samples drawn may exceed {@code samplesPerInsert × inserted} by at most
 * {@code tolerance}. Ahead of that, the learner waits for data; far behind it (more than {@code pauseBehind}
 * samples owed), the consumer pauses so that back-pressure goes to Kafka instead of into memory.
 */
public final class RateLimiter {

    /** What the learner should do now. */
    public enum Decision {
        /** Not enough data yet (below the minimum size). */
        WAIT_FOR_MINIMUM,
        /** Ahead of the ratio: wait for more inserts. */
        WAIT_FOR_DATA,
        /** Sample and update. */
        SAMPLE
    }

    private final int minSize;
    private final double samplesPerInsert;
    private final double tolerance;
    private final double pauseBehind;

    /**
     * @param pauseBehind samples owed beyond which ingestion pauses; 0 = never pause
     */
    public RateLimiter(int minSize, double samplesPerInsert, double tolerance, double pauseBehind) {
        if (minSize < 1 || !(samplesPerInsert > 0) || tolerance < 0 || pauseBehind < 0) {
            throw new IllegalArgumentException("invalid rate limiter settings");
        }
        this.minSize = minSize;
        this.samplesPerInsert = samplesPerInsert;
        this.tolerance = tolerance;
        this.pauseBehind = pauseBehind;
    }

    /** Whether a batch of {@code batch} samples may be drawn now. */
    public Decision decide(int size, long inserted, long sampled, int batch) {
        if (size < minSize) {
            return Decision.WAIT_FOR_MINIMUM;
        }
        return sampled + batch <= inserted * samplesPerInsert + tolerance ? Decision.SAMPLE : Decision.WAIT_FOR_DATA;
    }

    /** Samples owed: how far training is behind the ratio (negative = ahead). */
    public double behind(long inserted, long sampled) {
        return inserted * samplesPerInsert - sampled;
    }

    /** Whether ingestion should pause (training too far behind); resumes once back within half the threshold. */
    public boolean shouldPause(long inserted, long sampled, boolean paused) {
        if (pauseBehind <= 0) {
            return false;
        }
        double owed = behind(inserted, sampled);
        return paused ? owed > pauseBehind / 2 : owed > pauseBehind;
    }
}
