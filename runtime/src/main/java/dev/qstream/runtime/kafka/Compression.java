package dev.qstream.runtime.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How qstream's producers compress record batches ({@code compression.type}). A consumer must be able to
 * decompress whatever the producers chose, so this is part of the contract with clients in other languages
 * (docs/CLIENTS.md): kafkajs, for one, reads only {@link #NONE} and {@link #GZIP} without plugins.
 */
public enum Compression {
    NONE, GZIP, SNAPPY, LZ4, ZSTD;

    /** What qstream's producers use unless told otherwise: cheap on the CPU, and most clients read it. */
    public static final Compression DEFAULT = LZ4;

    /** The value of Kafka's {@code compression.type} producer setting. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The accepted spellings, for messages: {@code none, gzip, snappy, lz4, zstd}. */
    public static String choices() {
        return Arrays.stream(values()).map(Compression::configValue).collect(Collectors.joining(", "));
    }

    /** Parses a {@code compression.type} value (case-insensitive); anything else is refused with the choices. */
    public static Compression parse(String value) {
        if (value != null) {
            for (Compression c : values()) {
                if (c.configValue().equalsIgnoreCase(value.strip())) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("compression '" + value + "' is not one of " + choices());
    }
}
