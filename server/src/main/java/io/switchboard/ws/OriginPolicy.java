package io.switchboard.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open the chat socket. Clients without an Origin header (native apps, scripts) and the
 * server's own origin are always allowed; others only when listed, or when the list is {@code *}.
 */
final class OriginPolicy {
    private final boolean any;
    private final Set<String> allowed;

    OriginPolicy(List<String> origins) {
        this.any = origins.contains("*");
        this.allowed = origins.stream().map(OriginPolicy::normalize).collect(Collectors.toSet());
    }

    boolean allows(String origin, String host) {
        if (origin == null || origin.isEmpty() || any) return true;
        String o = normalize(origin);
        if (allowed.contains(o)) return true;
        try {
            URI uri = URI.create(o);
            String originHost = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host != null && originHost != null && originHost.equalsIgnoreCase(stripDefaultPort(host, uri.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String stripDefaultPort(String host, String scheme) {
        if ("http".equals(scheme) && host.endsWith(":80")) return host.substring(0, host.length() - 3);
        if ("https".equals(scheme) && host.endsWith(":443")) return host.substring(0, host.length() - 4);
        return host;
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
