package dev.qstream.launcher.options;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Locale;
import java.util.Map;

/**
 * Every option can also come from the environment: {@code --bootstrap-servers} from
 * {@code QSTREAM_BOOTSTRAP_SERVERS}, {@code --max-tokens} from {@code QSTREAM_MAX_TOKENS}, and so on. Containers and
 * compose files configure services this way; an option on the command line still wins.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> environment;

    public EnvironmentDefaults(Map<String, String> environment) {
        this.environment = environment;
    }

    static String variableFor(String optionName) {
        return "QSTREAM_" + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            String value = environment.get(variableFor(option.longestName()));
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return argSpec.defaultValue();
    }
}
