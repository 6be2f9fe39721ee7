package io.switchboard.logging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in a rendered log line: the last line of defence for logs Switchboard does not write itself
 * (Jetty and Javalin at DEBUG print request lines and headers). Switchboard's own log calls never pass a token;
 * this catches JWTs anywhere (any compact JWS whose header and payload are JSON objects, also with padding), {@code
 * token=} query parameters, {@code Authorization} and {@code X-CSRF-Token} header values, bearer credentials (any
 * case and spacing), the console's {@code sb_session} cookie (also quoted), JSON {@code "token"}, {@code "csrf"} or
 * {@code "adminToken"} fields, and {@code password=} parameters (JDBC URLs) and
 * passwords in URLs ({@code redis://user:password@host}, {@code redis://password@host}) and in Redis
 * {@code AUTH} commands as Lettuce dumps them at TRACE. The masked value is replaced by
 * {@value #MASK}.
 *
 * <p>Encodings the server decodes are decoded here too before matching: a name or separator written with
 * percent-encoding ({@code %74oken=}, a JWT whose dots are {@code %2E}) or a JSON {@code \u0074oken} escape is found
 * like its plain form. The value's extent is then taken from the line as written, so an encoded delimiter inside a
 * value ({@code %26}, {@code %20}), which the server reads as part of the value, is masked with it.
 */
public final class Redaction {
    /** What a masked value is replaced with. */
    public static final String MASK = "[redacted]";
    /** A base64url run as written in a log line: also padded, also percent-encoded ({@code %2E} is a dot). */
    private static final String RAW_B64 = "(?:[A-Za-z0-9_=.-]|%[0-9A-Fa-f]{2})*";
    /** Per alternative of {@link #SECRET}: how far its value runs in the line as written (matched from its start). */
    private static final Pattern[] RAW_VALUE;
    private static final Pattern SECRET;

    static {
        String[][] rules = {
                // A JWT: base64url JSON header and payload ('{' encodes as 'e' then one of w-z or 0-3), signature.
                // At least 12 characters each: the shortest header the server accepts ({"alg":"HS256"}) has 20.
                {null, "e[w-z0-3][A-Za-z0-9_=-]{10,}\\.e[w-z0-3][A-Za-z0-9_=-]{10,}\\.[A-Za-z0-9_=-]*", RAW_B64},
                // Older shape kept: anything that starts like '{"' and has two dots.
                {null, "eyJ[A-Za-z0-9_=-]*\\.[A-Za-z0-9_=-]*\\.[A-Za-z0-9_=-]*", RAW_B64},
                // token=… and access_token=… in query strings, also inside request lines and buffer dumps; cookies.
                {"(?i:(?:token|sb_session)\\s*=\\s*[\"']?)", "[^&\\s\"'<>;,\\\\]+", null},
                // Header values as dumped by HTTP stacks: "Authorization: Bearer x", "X-CSRF-Token: x".
                {"(?i:(?:proxy-)?authorization[\"']?\\s*[:=]\\s*[\"']?(?:[A-Za-z]+\\s+)?)", "[^\\s\"',;\\]}]+", null},
                {"(?i:x-csrf-token[\"']?\\s*[:=]\\s*[\"']?)", "[^\\s\"',;\\]}]+", null},
                // Jetty's HttpParser at DEBUG: "headerString=[Authorization], valueString=[Bearer x]".
                {"(?i:headerString=\\[(?:(?:proxy-)?authorization|x-csrf-token|cookie)\\],\\s*valueString=\\[)", "[^\\]]*", null},
                {"(?i:bearer\\s+)", "[A-Za-z0-9._~+/=-]+", "(?:[A-Za-z0-9._~+/=-]|%[0-9A-Fa-f]{2})+"},
                // Passwords as URL or JDBC parameters (HikariCP at DEBUG prints the JDBC URL: ";PASSWORD=…").
                {"(?i:(?:password|passwd|pwd)=)", "[^&;\\s\"'<>,]+", null},
                // A URL's password: scheme://user:password@host (Redis and database URLs), and Redis's password-only
                // form redis://password@host.
                {"(?i:\\b[a-z][a-z0-9+.-]*://[^\\s/@:\"'<>]*:)", "[^\\s/@\"'<>]+(?=@)", null},
                {"(?i:\\brediss?(?:-sentinel)?://)", "[^\\s/@:\"'<>]+(?=@)", null},
                // Redis's wire protocol as Lettuce dumps it at TRACE: AUTH [user] password, also inside HELLO 3 AUTH.
                {"(?i:\\$4\\r\\nAUTH\\r\\n(?:\\$\\d+\\r\\n[^\\r\\n]*\\r\\n(?=\\$))?\\$\\d+\\r\\n)", "[^\\r\\n]+", null},
                // JSON fields: {"token":"…"}, {"csrf":"…"}.
                {"(?i:\"(?:token|csrf|adminToken)\"\\s*:\\s*\")", "[^\"]*", null},
        };
        StringBuilder all = new StringBuilder();
        RAW_VALUE = new Pattern[rules.length];
        for (int i = 0; i < rules.length; i++) {
            if (i > 0) all.append('|');
            // Two groups per rule: the kept prefix (possibly empty) and the masked value.
            all.append('(').append(rules[i][0] == null ? "" : rules[i][0]).append(")(").append(rules[i][1]).append(')');
            RAW_VALUE[i] = Pattern.compile(rules[i][2] != null ? rules[i][2] : rules[i][1]);
        }
        SECRET = Pattern.compile(all.toString());
    }

    private Redaction() {}

    /** The line with every credential masked; the same line when it holds none. Null stays null. */
    public static String redact(String line) {
        if (line == null || line.isEmpty()) return line;
        Decoded view = Decoded.of(line);
        Matcher m = SECRET.matcher(view.text);
        if (!m.find()) return line;
        StringBuilder out = new StringBuilder(line.length());
        int last = 0;
        do {
            for (int rule = 0; rule < RAW_VALUE.length; rule++) {
                int g = 2 * rule + 2;
                if (m.start(g) < 0) continue;
                int from = view.original(m.start(g));
                int to = view.original(m.end(g));
                // The value as written may run further than its decoded form (an encoded '&' or space in it).
                Matcher raw = RAW_VALUE[rule].matcher(line).region(from, line.length());
                if (raw.lookingAt()) to = Math.max(to, raw.end());
                if (to <= last) break; // inside what the previous value's extent already masked
                out.append(line, last, Math.max(from, last)).append(MASK);
                last = to;
                break;
            }
        } while (m.find());
        return out.append(line, last, line.length()).toString();
    }

    /**
     * The line with {@code %XX} and JSON {@code \}{@code uXXXX} escapes decoded (one level, as a server decodes
     * once), and where each decoded character starts in the original.
     */
    private record Decoded(String text, int[] starts, int length) {
        static Decoded of(String line) {
            if (line.indexOf('%') < 0 && line.indexOf('\\') < 0) return new Decoded(line, null, line.length());
            StringBuilder text = new StringBuilder(line.length());
            int[] starts = new int[line.length() + 1];
            int i = 0;
            while (i < line.length()) {
                starts[text.length()] = i;
                char c = line.charAt(i);
                if (c == '%' && hex(line, i + 1, 2) >= 0) {
                    text.append((char) hex(line, i + 1, 2));
                    i += 3;
                } else if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == 'u' && hex(line, i + 2, 4) >= 0) {
                    text.append((char) hex(line, i + 2, 4));
                    i += 6;
                } else {
                    text.append(c);
                    i++;
                }
            }
            starts[text.length()] = line.length();
            return new Decoded(text.toString(), starts, line.length());
        }

        /** Where the decoded character at {@code index} (or the end, at {@code text.length()}) starts in the line. */
        int original(int index) {
            return starts == null ? index : starts[index];
        }

        private static int hex(String s, int from, int digits) {
            if (from + digits > s.length()) return -1;
            int v = 0;
            for (int i = from; i < from + digits; i++) {
                int d = Character.digit(s.charAt(i), 16);
                if (d < 0) return -1;
                v = v * 16 + d;
            }
            return v;
        }
    }
}
