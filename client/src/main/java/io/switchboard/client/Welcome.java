package io.switchboard.client;

import java.time.Duration;
import java.util.Map;

/**
 * The server's first frame on every connection: who the token names, the server's ping interval, the limits
 * this connection is held to ({@code frameBytes}, {@code textChars}, {@code ratePerSecond}, {@code burst},
 * {@code roomsPerConnection}, {@code historyPageMax}) and {@code dms}, the latest position and the epoch of the
 * user's direct-message stream (null from a server without DM streams).
 */
public record Welcome(String connectionId, String user, String name, long serverTime, Duration heartbeat,
                      Map<String, Integer> limits, Position dms) {
    public Welcome {
        limits = Map.copyOf(limits);
    }

    /** A limit by name, or {@code fallback} when the server did not send it. */
    public int limit(String key, int fallback) {
        Integer v = limits.get(key);
        return v == null ? fallback : v;
    }
}
