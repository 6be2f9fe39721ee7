package io.switchboard.config;

/** A configuration problem that stops start-up; the message names the offending key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
