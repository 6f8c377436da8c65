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
 */
public record EncoderSpec(int promptBuckets, int lastBuckets, int previousBuckets, int positionBuckets,
                          int generatedBuckets) {

    public EncoderSpec {
        if (promptBuckets < 1 || lastBuckets < 2 || previousBuckets < 2 || positionBuckets < 1 || generatedBuckets < 1) {
            throw new IllegalArgumentException("every feature group needs at least one bucket (two for last and "
                    + "previous, whose last bucket marks the start): " + this);
        }
    }

    /** The default for learning: wide enough that task vocabularies of a few hundred words rarely collide. */
    public static EncoderSpec defaults() {
        return new EncoderSpec(256, 256, 128, 32, 128);
    }

    /** The benchmark reference: 100 inputs. */
    public static EncoderSpec reference() {
        return new EncoderSpec(40, 24, 12, 8, 16);
    }

    public int size() {
        return promptBuckets + lastBuckets + previousBuckets + positionBuckets + generatedBuckets;
    }

    int[] asArray() {
        return new int[]{promptBuckets, lastBuckets, previousBuckets, positionBuckets, generatedBuckets};
    }

    static EncoderSpec fromArray(int[] a) {
        return new EncoderSpec(a[0], a[1], a[2], a[3], a[4]);
    }
}
