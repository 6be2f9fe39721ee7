package io.switchboard.ws;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may open the chat socket. Clients without an Origin header (native apps, scripts) and the
 * server's own origin are always allowed; others only when listed, or when the list is {@code *}. Origins are
 * compared as RFC 6454 tuples: scheme, host and port must all match (case-insensitive scheme and host, a default
 * port written or not: {@code http://h} is {@code http://h:80}). The server's own origin is the scheme it was
 * reached with and its {@code Host} header; {@code X-Forwarded-*} headers are not trusted.
 */
final class OriginPolicy {
    private final boolean any;
    private final Set<String> allowed = new HashSet<>();

    /** @throws IllegalArgumentException naming an entry that is neither {@code *} nor {@code scheme://host[:port]} */
    OriginPolicy(List<String> origins) {
        this.any = origins.contains("*");
        for (String o : origins) {
            if (o.equals("*")) continue;
            String trimmed = o.trim();
            // Operators may write a trailing slash; browsers never send one.
            String canonical = canonical(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
            if (canonical == null) {
                throw new IllegalArgumentException("'" + o + "' is not an origin such as https://chat.example.com or http://host:8080");
            }
            allowed.add(canonical);
        }
    }

    /**
     * @param origin        the request's Origin header, null when absent
     * @param requestScheme {@code http} or {@code https}: how this request reached the server
     * @param host          the request's Host header ({@code host[:port]}), null when absent
     */
    boolean allows(String origin, String requestScheme, String host) {
        if (origin == null || origin.isEmpty() || any) return true;
        String o = canonical(origin); // "null", paths, user info, other schemes: no origin we could match
        if (o == null) return false;
        if (allowed.contains(o)) return true;
        return host != null && o.equals(canonical(requestScheme + "://" + host));
    }

    /** {@code scheme://host:port} in lower case with the port always written, or null for anything else. */
    static String canonical(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        int defaultPort = "http".equals(scheme) ? 80 : "https".equals(scheme) ? 443 : -1;
        if (defaultPort < 0 || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return null;
        }
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
