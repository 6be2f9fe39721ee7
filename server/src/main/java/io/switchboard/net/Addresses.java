package io.switchboard.net;

import io.javalin.http.Context;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One written form for client IP addresses, wherever they are recorded or shown (audit log, connections, limits):
 * IPv4 dotted ({@code 127.0.0.1}), IPv6 in the RFC 5952 form without brackets ({@code ::1}, {@code 2001:db8::1},
 * lower case, a zone kept as {@code %eth0}), and IPv4-mapped IPv6 ({@code ::ffff:10.0.0.1}) as plain IPv4. Jetty
 * writes the same client as {@code [0:0:0:0:0:0:0:1]} for HTTP requests and {@code 0:0:0:0:0:0:0:1} for sockets,
 * so without this one client would look like two.
 */
public final class Addresses {
    /** What may be an IP literal: hex digits, dots, colons, a zone; anything else is returned as it came, trimmed. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[\\w.-]+)?");

    private Addresses() {}

    /**
     * The normalized form of an address as text; {@code null} stays {@code null}, and text that is not an IP literal
     * (a host name, a Unix socket path) is returned unchanged apart from surrounding brackets and spaces. Never does a
     * DNS lookup.
     */
    public static String normalize(String address) {
        if (address == null) return null;
        String a = address.trim();
        if (a.startsWith("[") && a.endsWith("]")) a = a.substring(1, a.length() - 1);
        if (a.isEmpty() || !LITERAL.matcher(a).matches() || (a.indexOf(':') < 0 && a.indexOf('.') < 0)) return a;
        String zone = "";
        int percent = a.indexOf('%');
        if (percent >= 0) {
            zone = a.substring(percent);
            a = a.substring(0, percent);
        }
        if (a.indexOf(':') < 0 && !a.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return address.trim();
        try {
            // An IP literal: InetAddress parses it without any lookup (and turns IPv4-mapped IPv6 into IPv4).
            return format(InetAddress.getByName(a)) + (zone.isEmpty() || a.indexOf(':') < 0 ? "" : zone);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return address.trim();
        }
    }

    /** The normalized address of a socket's peer (see {@link #normalize(String)}). */
    public static String of(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            if (ip == null) return normalize(inet.getHostString());
            String zone = ip instanceof Inet6Address v6 && v6.getScopedInterface() != null
                    ? "%" + v6.getScopedInterface().getName()
                    : ip instanceof Inet6Address v6 && v6.getScopeId() != 0 ? "%" + v6.getScopeId() : "";
            return format(ip) + zone;
        }
        return String.valueOf(address);
    }

    /** The normalized address of an HTTP request's client (Javalin's {@code ctx.ip()}). */
    public static String of(Context ctx) {
        return normalize(ctx.ip());
    }

    private static String format(InetAddress ip) {
        if (ip instanceof Inet4Address) return ip.getHostAddress();
        byte[] b = ip.getAddress();
        if (isMappedIpv4(b)) {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        // RFC 5952: the longest run of two or more zero groups (the first of equal runs) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') out.append(':');
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static boolean isMappedIpv4(byte[] b) {
        if (b.length != 16) return false;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
