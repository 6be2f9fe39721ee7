package io.switchboard.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The test run's list of secrets (client JWTs, admin tokens, console session ids, configured secrets) and of the
 * log lines that leaked one. Test helpers register every secret they make or read ({@link #register}); the
 * {@link LeakGuardAppender} scans every rendered log event of the whole run, at every level, and records leaks; the
 * {@link LeakGuardExtension} fails the test class during which a leak was logged. Besides registered secrets, any
 * signed JWT is a leak, whoever made it.
 */
public final class LeakGuard {
    /** Shorter strings are not registered: they would match by chance and no real secret is that short. */
    static final int MIN_SECRET_CHARS = 16;
    private static final int WINDOW = MIN_SECRET_CHARS;
    private static final Pattern SIGNED_JWT = Pattern.compile("e[w-z0-3][A-Za-z0-9_-]{2,}\\.e[w-z0-3][A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{16,}");

    /** A leak: which logger, at which level, and the secret with all but its first characters hidden. */
    public record Leak(String logger, String level, String secretHint) {}

    /** Secrets by the hash of their first {@link #WINDOW} characters, so that a line is scanned in one pass. */
    private static final Map<Long, java.util.concurrent.CopyOnWriteArrayList<String>> SECRETS = new ConcurrentHashMap<>();
    private static final List<Leak> LEAKS = new ArrayList<>();
    private static final java.util.concurrent.atomic.AtomicLong MASKED = new java.util.concurrent.atomic.AtomicLong();

    private LeakGuard() {}

    /** Registers a secret that must never be logged, and returns it. Null and short strings are ignored. */
    public static String register(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_CHARS) return secret;
        SECRETS.computeIfAbsent(hash(secret, 0), h -> new java.util.concurrent.CopyOnWriteArrayList<>()).addIfAbsent(secret);
        int dot = secret.lastIndexOf('.');
        if (secret.startsWith("eyJ") && dot > 0) register(secret.substring(dot + 1)); // a JWT's signature alone
        return secret;
    }

    /** Called by the appender with the line exactly as the production layout renders it. */
    static void scan(String logger, String level, String line, boolean messageHeldSecret) {
        String found = find(line);
        if (found == null) {
            if (messageHeldSecret) MASKED.incrementAndGet();
        } else {
            synchronized (LEAKS) {
                LEAKS.add(new Leak(logger, level, hint(found)));
            }
        }
    }

    /**
     * The registered secret or signed JWT this line holds, or null; also when written percent-encoded (any of its
     * characters as {@code %XX}, a JWT's dots as {@code %2E}) or with JSON {@code \}{@code uXXXX} escapes, which the
     * server decodes: the line is searched as written and once decoded.
     */
    static String find(String line) {
        String found = findAsWritten(line);
        if (found != null || (line.indexOf('%') < 0 && line.indexOf('\\') < 0)) return found;
        return findAsWritten(decoded(line));
    }

    /** One level of {@code %XX} and {@code \}{@code uXXXX} decoding; anything else (and malformed escapes) kept. */
    static String decoded(String line) {
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '%' && i + 2 < line.length() && isHex(line, i + 1, 2)) {
                out.append((char) Integer.parseInt(line.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c == '\\' && i + 5 < line.length() && line.charAt(i + 1) == 'u' && isHex(line, i + 2, 4)) {
                out.append((char) Integer.parseInt(line.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int from, int n) {
        for (int i = from; i < from + n; i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }

    private static String findAsWritten(String line) {
        int n = line.length();
        if (n >= WINDOW && !SECRETS.isEmpty()) {
            long h = hash(line, 0);
            for (int i = 0; ; i++) {
                List<String> candidates = SECRETS.get(h);
                if (candidates != null) {
                    for (String s : candidates) if (line.startsWith(s, i)) return s;
                }
                if (i + WINDOW >= n) break;
                h = (h - line.charAt(i) * POW) * BASE + line.charAt(i + WINDOW);
            }
        }
        if (line.contains(".e")) { // every signed JWT has ".e" before its payload
            var m = SIGNED_JWT.matcher(line);
            if (m.find()) return m.group();
        }
        return null;
    }

    /** Log events whose message held a secret that the production layout masked: proof the guard sees them. */
    public static long maskedLines() {
        return MASKED.get();
    }

    /** Leaks recorded since the last call, which forgets them. */
    public static List<Leak> takeLeaks() {
        synchronized (LEAKS) {
            List<Leak> out = List.copyOf(LEAKS);
            LEAKS.clear();
            return out;
        }
    }

    private static final long BASE = 1_000_003L;
    private static final long POW = pow();

    private static long pow() {
        long p = 1;
        for (int i = 1; i < WINDOW; i++) p *= BASE;
        return p;
    }

    private static long hash(String s, int from) {
        long h = 0;
        for (int i = from; i < from + WINDOW; i++) h = h * BASE + s.charAt(i);
        return h;
    }

    private static String hint(String secret) {
        return secret.substring(0, 6) + "… (" + secret.length() + " characters)";
    }
}
