package dev.qstream.launcher.options;

import dev.qstream.schemas.topics.TopicLayout;
import picocli.CommandLine;

/**
 * {@code --replication-factor}: {@code auto} (from the cluster's size: 1 on one broker, 2 on two, 3 from three) or a
 * number of copies, 1 to 32767.
 */
public final class ReplicationFactorConverter implements CommandLine.ITypeConverter<Short> {

    @Override
    public Short convert(String value) {
        String v = value.strip();
        if (v.equalsIgnoreCase("auto")) {
            return TopicLayout.AUTO_REPLICATION;
        }
        try {
            short n = Short.parseShort(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a replication factor (use auto, or a number >= 1)");
    }
}
