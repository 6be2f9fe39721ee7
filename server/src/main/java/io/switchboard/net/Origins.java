package io.switchboard.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Web origins (RFC 6454) as Switchboard compares them: {@code scheme://host:port}, http or https only, lower case,
 * the default port written out. A port must be written canonically, as browsers serialize it: 1 to 65535 without
 * leading zeros ({@code :018087} and {@code :99999} are no port at all, so no origin).
 */
public final class Origins {
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

    private Origins() {}

    /** {@code scheme://host:port} in lower case with the port always written, or null for anything that is no origin. */
    public static String canonical(String origin) {
        if (origin == null || origin.isEmpty()) return null;
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
        // URI parses ":018087" as 18087 and takes ":99999" or a bare ":"; the written port text decides here.
        String authority = uri.getRawAuthority();
        int colon = authority.lastIndexOf(':');
        int port = defaultPort;
        if (colon > authority.lastIndexOf(']')) {
            String text = authority.substring(colon + 1);
            if (!PORT.matcher(text).matches() || Integer.parseInt(text) > 65_535) return null;
            port = Integer.parseInt(text);
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    /**
     * The {@code allowed.origins} entries in canonical form ({@code *} kept as is; a trailing slash, which operators
     * may write and browsers never send, dropped).
     *
     * @throws IllegalArgumentException naming the first entry that is neither {@code *} nor {@code scheme://host[:port]}
     */
    public static List<String> parseAllowed(List<String> entries) {
        List<String> out = new ArrayList<>(entries.size());
        for (String o : entries) {
            String trimmed = o.trim();
            if (trimmed.equals("*")) {
                out.add("*");
                continue;
            }
            String canonical = canonical(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
            if (canonical == null) {
                throw new IllegalArgumentException("'" + o + "' is not an origin such as https://chat.example.com or"
                        + " http://host:8080 (http or https, no path, a port from 1 to 65535 without leading zeros)");
            }
            out.add(canonical);
        }
        return out;
    }
}
