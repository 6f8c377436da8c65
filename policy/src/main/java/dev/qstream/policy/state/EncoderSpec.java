package dev.qstream.policy.state;

/**
 * Sizes of the feature groups the state encoder writes; their sum is the Q-network's input size. Actor and learner
 * must use the same spec: it is part of every model's header.
 *
 * @param promptBuckets    bag of the prompt's tokens (which facts are available)
 * @param lastBuckets      the last generated token (or a start marker)
 * @param previousBuckets  the token before it
 * @param positionBuckets  one-hot step index, the last bucket holding every later step
 * @param generatedBuckets bag of the tokens generated so far (what has already been said)
 * @param openCopyBuckets  the prompt's copy actions the prefix has not taken yet (what is still to be said): one
 *                         bucket per copy slot when it equals the vocabulary's copy slots, which are contiguous ids;
 *                         0 = no such group (models from before it existed)
 */
public record EncoderSpec(int promptBuckets, int lastBuckets, int previousBuckets, int positionBuckets,
                          int generatedBuckets, int openCopyBuckets) {

    /** Copy slots of a task vocabulary, so that each open copy action has a bucket of its own. */
    public static final int DEFAULT_OPEN_COPY_BUCKETS = 64;

    public EncoderSpec {
        if (promptBuckets < 1 || lastBuckets < 2 || previousBuckets < 2 || positionBuckets < 1 || generatedBuckets < 1
                || openCopyBuckets < 0) {
            throw new IllegalArgumentException("every feature group needs at least one bucket (two for last and "
                    + "previous, whose last bucket marks the start; open copies may have none): " + this);
        }
    }

    /** A spec without the open-copies group, as every model had before it. */
    public EncoderSpec(int promptBuckets, int lastBuckets, int previousBuckets, int positionBuckets, int generatedBuckets) {
        this(promptBuckets, lastBuckets, previousBuckets, positionBuckets, generatedBuckets, 0);
    }

    /** The default for learning: wide enough that task vocabularies of a few hundred words rarely collide. */
    public static EncoderSpec defaults() {
        return new EncoderSpec(256, 256, 128, 32, 128, DEFAULT_OPEN_COPY_BUCKETS);
    }

    /** This spec with {@code buckets} open-copy inputs. */
    public EncoderSpec withOpenCopyBuckets(int buckets) {
        return new EncoderSpec(promptBuckets, lastBuckets, previousBuckets, positionBuckets, generatedBuckets, buckets);
    }

    /** The benchmark reference: 100 inputs. */
    public static EncoderSpec reference() {
        return new EncoderSpec(40, 24, 12, 8, 16);
    }

    public int size() {
        return promptBuckets + lastBuckets + previousBuckets + positionBuckets + generatedBuckets + openCopyBuckets;
    }
}
