package dev.qstream.scorer.similarity;

/**
 * One score triple, as rouge-score's {@code scoring.Score(precision, recall, fmeasure)}.
 *
 * @param precision matches / candidate count
 * @param recall    matches / reference count
 * @param f         {@code 2*p*r/(p+r)}, or 0 when {@code p + r == 0}
 */
public record PrecisionRecallF(double precision, double recall, double f) {

    /** The all-zero score rouge-score returns for empty inputs. */
    public static final PrecisionRecallF ZERO = new PrecisionRecallF(0.0, 0.0, 0.0);

    /** Builds a score with rouge-score's {@code scoring.fmeasure}: {@code 2 * p * r / (p + r)} if {@code p + r > 0}. */
    public static PrecisionRecallF of(double precision, double recall) {
        return new PrecisionRecallF(precision, recall, fmeasure(precision, recall));
    }

    /** rouge-score's {@code scoring.fmeasure}, with the same operation order (so bit-identical results). */
    public static double fmeasure(double precision, double recall) {
        if (precision + recall > 0) {
            return 2 * precision * recall / (precision + recall);
        }
        return 0.0;
    }
}
