package dev.qstream.schemas.serde;

/** Why bytes could not be turned into a record; dead letters and metrics are counted by it. */
public enum DecodeFailure {
    /** Zero-length or null value. */
    EMPTY,
    /** The two marker bytes of Avro's single-object encoding are missing: not a qstream record. */
    WRONG_MARKER,
    /** The writer schema's fingerprint is neither the current schema nor any released version. */
    UNKNOWN_FINGERPRINT,
    /** The body ended before the record did. */
    TRUNCATED,
    /** The body does not follow its schema (bad union or enum index, negative length, bad UUID, trailing bytes...). */
    MALFORMED
}
