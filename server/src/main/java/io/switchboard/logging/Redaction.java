package io.switchboard.logging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in a rendered log line: the last line of defence for logs Switchboard does not write itself
 * (Jetty and Javalin at DEBUG print request lines and headers). Switchboard's own log calls never pass a token;
 * this catches JWTs anywhere, {@code token=} query parameters, {@code Authorization} and {@code X-CSRF-Token}
 * header values, bearer credentials, the console's {@code sb_session} cookie and JSON {@code "token"} or
 * {@code "csrf"} fields, and {@code password=} parameters (JDBC URLs). The masked value is replaced by {@value #MASK}.
 */
public final class Redaction {
    /** What a masked value is replaced with. */
    public static final String MASK = "[redacted]";
    private static final Pattern SECRET = Pattern.compile(
            // A JWT: base64url JSON header ("eyJ" is '{"'), payload and signature.
            "(eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*)"
            // token=… and access_token=… in query strings, also inside request lines and buffer dumps.
            + "|(?i:(token=|sb_session=))([^&\\s\"'<>;,\\\\]+)"
            // Header values as dumped by HTTP stacks: "Authorization: Bearer x", "X-CSRF-Token: x".
            + "|(?i:((?:proxy-)?authorization[\"']?\\s*[:=]\\s*[\"']?(?:[A-Za-z]+\\s+)?))([^\\s\"',;\\]}]+)"
            + "|(?i:(x-csrf-token[\"']?\\s*[:=]\\s*[\"']?))([^\\s\"',;\\]}]+)"
            // Jetty's HttpParser at DEBUG: "headerString=[Authorization], valueString=[Bearer x]".
            + "|(?i:(headerString=\\[(?:(?:proxy-)?authorization|x-csrf-token|cookie)\\],\\s*valueString=\\[))([^\\]]*)"
            + "|(?i:(bearer\\s+))([A-Za-z0-9._~+/=-]+)"
            // Passwords as URL or JDBC parameters (HikariCP at DEBUG prints the JDBC URL: ";PASSWORD=…").
            + "|(?i:((?:password|passwd|pwd)=))([^&;\\s\"'<>,]+)"
            // JSON fields: {"token":"…"}, {"csrf":"…"}.
            + "|(?i:(\"(?:token|csrf|adminToken)\"\\s*:\\s*\"))([^\"]*)");

    private Redaction() {}

    /** The line with every credential masked; the same line when it holds none. Null stays null. */
    public static String redact(String line) {
        if (line == null || line.isEmpty()) return line;
        Matcher m = SECRET.matcher(line);
        if (!m.find()) return line;
        StringBuilder out = new StringBuilder(line.length());
        int last = 0;
        do {
            out.append(line, last, m.start());
            if (m.group(1) != null) {
                out.append(MASK);
            } else {
                // Groups come in pairs: the kept prefix (name, separator), then the masked value.
                for (int g = 2; g + 1 <= m.groupCount(); g += 2) {
                    if (m.group(g + 1) != null) {
                        out.append(m.group(g)).append(MASK);
                        break;
                    }
                }
            }
            last = m.end();
        } while (m.find());
        return out.append(line, last, line.length()).toString();
    }
}
