package io.switchboard.config;

import java.util.Locale;
import java.util.function.Function;

/**
 * One configuration setting. Its name is used as-is in the config file, as {@code SWITCHBOARD_NAME_WITH_UNDERSCORES}
 * in the environment and as {@code --name-with-dashes} on the command line.
 */
public record ConfigKey<T>(String name, String defaultValue, Function<String, T> parser, boolean secret, String description) {

    public String envVar() {
        return "SWITCHBOARD_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    public String flag() {
        return "--" + name.replace('.', '-');
    }

    T parse(String raw, String source) {
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid value for " + name + " (" + source + "): " + e.getMessage());
        }
    }
}
