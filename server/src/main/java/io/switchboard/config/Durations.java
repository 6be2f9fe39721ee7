package io.switchboard.config;

import java.time.Duration;

/** Parses and formats the short duration syntax used in configuration and on the command line (30s, 5m, 1h, 7d). */
public final class Durations {
    private Durations() {}

    public static Duration parse(String s) {
        return Parsers.parseDuration(s);
    }

    public static String format(Duration d) {
        return Parsers.format(d);
    }
}
