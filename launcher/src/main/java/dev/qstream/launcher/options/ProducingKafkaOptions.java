package dev.qstream.launcher.options;

import dev.qstream.runtime.kafka.Compression;
import picocli.CommandLine.Option;

/** {@link KafkaOptions} for commands that write records: plus how their producers compress. */
public final class ProducingKafkaOptions extends KafkaOptions {

    /** What {@code --compression} accepts, for help and messages. */
    public static final String CHOICES = "none|gzip|snappy|lz4|zstd";

    @Option(names = "--compression", paramLabel = CHOICES, defaultValue = "lz4", converter = CompressionConverter.class,
            description = "Compression of every record batch this command produces (the model topic's chunks are never "
                    + "compressed). Every consumer of the topics must be able to read it: see docs/CLIENTS.md "
                    + "(default: ${DEFAULT-VALUE}; or $QSTREAM_COMPRESSION).")
    public Compression compression;

    @Override
    protected Compression compression() {
        return compression;
    }
}
