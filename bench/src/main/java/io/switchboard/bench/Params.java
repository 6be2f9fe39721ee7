package io.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A scenario's parameters: its defaults, overridden by {@code --name=value}, then by {@code --X.name=value}. */
final class Params {
    /** Every parameter name a scenario understands (anything else on the command line is refused). */
    static final Set<String> NAMES = Set.of(
            "conns", "rooms", "room-size", "rate", "rates", "payload", "warmup", "duration", "drain",
            "connect-concurrency", "connect-timeout", "clients", "io-threads", "pacers", "prewarm", "min-ratio", "max-p99-ms",
            "deflate", "resume", "storm-messages");

    private final Map<String, String> values;

    Params(Map<String, String> values) {
        this.values = new LinkedHashMap<>(values);
    }

    Params with(String name, String value) {
        Params p = new Params(values);
        p.values.put(name, value);
        return p;
    }

    boolean has(String name) {
        String v = values.get(name);
        return v != null && !v.isBlank();
    }

    String text(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("parameter '" + name + "' has no value");
        return v;
    }

    int integer(String name) {
        String v = text(name).replace("_", "");
        try {
            if (v.endsWith("k")) return Math.toIntExact(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            return Integer.parseInt(v);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a whole number, not '" + v + "'");
        }
    }

    boolean bool(String name) {
        return switch (text(name).trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("parameter '" + name + "' must be true or false, not '" + text(name) + "'");
        };
    }

    double decimal(String name) {
        try {
            return Double.parseDouble(text(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a number, not '" + text(name) + "'");
        }
    }

    Duration duration(String name) {
        return parseDuration(text(name), name);
    }

    List<String> list(String name) {
        List<String> out = new ArrayList<>();
        for (String s : text(name).split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}; a bare number is seconds. */
    static Duration parseDuration(String s, String what) {
        String v = s.trim();
        try {
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            if (v.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            if (v.endsWith("m")) return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a duration such as 500ms, 10s or 2m, not '" + s + "'");
        }
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
