package io.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scenario step against one target, as ordered {@code key=value} pairs: printed as a single parseable
 * {@code RESULT ...} line (values never contain spaces) and read back from it for charts and comparisons.
 */
final class Result {
    static final String PREFIX = "RESULT";

    private final Map<String, String> values = new LinkedHashMap<>();

    Result put(String key, Object value) {
        String v;
        if (value == null) {
            v = "-";
        } else if (value instanceof Double d) {
            v = Report.num(d);
        } else if (value instanceof Float f) {
            v = Report.num(f.doubleValue());
        } else if (value instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder();
            m.forEach((k, x) -> b.append(b.length() > 0 ? "," : "").append(k).append(':').append(x));
            v = b.length() == 0 ? "-" : b.toString();
        } else {
            v = String.valueOf(value);
        }
        values.put(key, clean(v));
        return this;
    }

    private static String clean(String v) {
        String s = v.replaceAll("\\s+", "_");
        return s.isEmpty() ? "-" : s;
    }

    String get(String key) {
        return values.get(key);
    }

    boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.equals("-");
    }

    /** A number, or NaN when missing or not a number. */
    double num(String key) {
        String v = values.get(key);
        if (v == null) return Double.NaN;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    String scenario() {
        return values.get("scenario");
    }

    String step() {
        return values.get("step");
    }

    String target() {
        return values.get("target");
    }

    boolean ok() {
        return "ok".equals(values.get("status"));
    }

    Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    String line() {
        StringBuilder b = new StringBuilder(PREFIX);
        values.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    /** Reads a line written by {@link #line()}; null if it is not a RESULT line. */
    static Result parse(String line) {
        String s = line.strip();
        if (!s.startsWith(PREFIX + " ")) return null;
        Result r = new Result();
        for (String kv : s.substring(PREFIX.length() + 1).trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("not key=value: '" + kv + "'");
            r.values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return r;
    }

    @Override
    public String toString() {
        return line();
    }
}
