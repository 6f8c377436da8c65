package dev.qstream.launcher.options;

import dev.qstream.runtime.kafka.Compression;
import picocli.CommandLine;

/** Parses {@code --compression} values with Kafka's spelling ({@code lz4}, not {@code LZ4}) and names the choices. */
public final class CompressionConverter implements CommandLine.ITypeConverter<Compression> {

    @Override
    public Compression convert(String value) {
        try {
            return Compression.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
