package io.switchboard.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Value parsers for configuration keys; each throws IllegalArgumentException with a human message. */
final class Parsers {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Parsers() {}

    static Function<String, String> text() {
        return s -> s;
    }

    static Function<String, Integer> integer(int min, int max) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("expected a number from " + min + " to " + max + ", got " + v);
            }
            return v;
        };
    }

    static Function<String, Boolean> bool() {
        return s -> switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + s + "'");
        };
    }

    /** Durations like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}. */
    static Function<String, Duration> duration(Duration min, Duration max) {
        return s -> {
            Duration d = parseDuration(s);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("expected a duration from " + format(min) + " to " + format(max) + ", got " + s);
            }
            return d;
        };
    }

    /** Like {@link #duration}, and a plain {@code 0} (off) is allowed too. */
    static Function<String, Duration> durationOrZero(Duration min, Duration max) {
        Function<String, Duration> bounded = duration(min, max);
        return s -> {
            if (s.trim().equals("0")) return Duration.ZERO;
            try {
                return bounded.apply(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (or 0 for off)");
            }
        };
    }

    /** Like {@link #duration} but in whole seconds ({@code 5s}, {@code 1m}; not {@code 1500ms}). */
    static Function<String, Duration> wholeSeconds(Duration min, Duration max) {
        Function<String, Duration> bounded = duration(min, max);
        return s -> {
            Duration d = bounded.apply(s);
            if (d.toMillis() % 1000 != 0) throw new IllegalArgumentException("expected whole seconds, such as 5s, got " + s);
            return d;
        };
    }

    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m, 1h or 7d, got '" + s + "'");
        }
        try {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            d.toMillis(); // must fit in milliseconds
            return d;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + s + "' is too long");
        }
    }

    static String format(Duration d) {
        if (d.isZero()) return "0";
        if (d.toMillis() % 1000 != 0) return d.toMillis() + "ms";
        long s = d.toSeconds();
        if (s % 86400 == 0) return s / 86400 + "d";
        if (s % 3600 == 0) return s / 3600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }

    static Function<String, List<String>> list() {
        return s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /**
     * {@link #list()} of origins, each checked by {@link io.switchboard.net.Origins#parseAllowed} when the configuration
     * is loaded (before anything touches the data dir); kept as written.
     */
    static Function<String, List<String>> origins() {
        Function<String, List<String>> list = list();
        return s -> {
            List<String> entries = list.apply(s);
            io.switchboard.net.Origins.parseAllowed(entries);
            return entries;
        };
    }

    /** Text matching {@code regex} in full; {@code what} says in words what is allowed. */
    static Function<String, String> matching(String regex, String what) {
        Pattern p = Pattern.compile(regex);
        return s -> {
            String v = s.trim();
            if (!p.matcher(v).matches()) throw new IllegalArgumentException("expected " + what + ", got '" + s + "'");
            return v;
        };
    }

    /** Like {@link #matching}, and empty (meaning "not set") is allowed too. */
    static Function<String, String> matchingOrEmpty(String regex, String what) {
        Function<String, String> m = matching(regex, what);
        return s -> s.isBlank() ? "" : m.apply(s);
    }

    /**
     * A Redis URL checked by Lettuce's parser when the configuration is loaded, kept as written (empty: not set). A
     * bad URL's message shows it with its password masked: ConfigKey would otherwise echo the value.
     */
    static Function<String, String> redisUrl() {
        return s -> {
            if (s.isBlank()) return "";
            io.switchboard.cluster.RedisSettings.parse(s, null); // throws ConfigException naming redis.url
            return s.trim();
        };
    }

    static Function<String, String> oneOf(String... allowed) {
        return s -> {
            for (String a : allowed) {
                if (a.equalsIgnoreCase(s.trim())) return a;
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", allowed) + ", got '" + s + "'");
        };
    }
}
