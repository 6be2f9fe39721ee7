package io.switchboard.ws;

import io.switchboard.net.Origins;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which browser origins may open the chat socket. Clients without an Origin header (native apps, scripts) and the
 * server's own origin are always allowed; others only when listed, or when the list is {@code *}. Origins are
 * compared as RFC 6454 tuples ({@link Origins#canonical}): scheme, host and port must all match (case-insensitive
 * scheme and host, a default port written or not: {@code http://h} is {@code http://h:80}; a port with leading zeros
 * or above 65535 is no origin). The server's own origin is the scheme it was reached with and its {@code Host}
 * header; {@code X-Forwarded-*} headers are not trusted. An empty Origin header, or more than one, is refused: a
 * browser sends exactly one, never empty, so either is a forgery or a broken proxy, and neither may pass as "no Origin".
 */
final class OriginPolicy {
    private final boolean any;
    private final Set<String> allowed = new HashSet<>();

    /** @throws IllegalArgumentException naming an entry that is neither {@code *} nor {@code scheme://host[:port]} */
    OriginPolicy(List<String> origins) {
        List<String> parsed = Origins.parseAllowed(origins);
        this.any = parsed.contains("*");
        for (String o : parsed) if (!o.equals("*")) allowed.add(o);
    }

    /**
     * @param originHeaders every value of the request's Origin header, in order; empty when there is none
     * @param requestScheme {@code http} or {@code https}: how this request reached the server
     * @param host          the request's Host header ({@code host[:port]}), null when absent
     */
    boolean allows(List<String> originHeaders, String requestScheme, String host) {
        if (originHeaders.isEmpty()) return true;
        if (originHeaders.size() > 1) return false;
        return allows(originHeaders.get(0), requestScheme, host);
    }

    /**
     * @param origin        the request's one Origin header, null when absent
     * @param requestScheme {@code http} or {@code https}: how this request reached the server
     * @param host          the request's Host header ({@code host[:port]}), null when absent
     */
    boolean allows(String origin, String requestScheme, String host) {
        if (origin == null) return true;
        if (origin.isEmpty()) return false; // even with *: not a browser's Origin, and not an absent one either
        if (any) return true;
        String o = Origins.canonical(origin); // "null", paths, user info, other schemes: no origin we could match
        if (o == null) return false;
        if (allowed.contains(o)) return true;
        return host != null && o.equals(Origins.canonical(requestScheme + "://" + host));
    }

    /** {@code scheme://host:port} in lower case with the port always written, or null for anything else. */
    static String canonical(String origin) {
        return Origins.canonical(origin);
    }
}
