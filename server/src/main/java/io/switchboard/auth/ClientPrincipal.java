package io.switchboard.auth;

import java.util.List;

/**
 * The user behind a chat connection, from a verified client token. {@code rooms} is the token's allow-list,
 * null when the token allows every room; an entry ending in {@code *} allows every room with that prefix.
 * {@code expiresAt} is the token's {@code exp} and {@code acceptedUntil} that plus the leeway ({@code jwt.leeway}),
 * both in milliseconds since the epoch: the token is accepted, at connect and by the heartbeat alike, while the
 * clock is before {@code acceptedUntil}.
 */
public record ClientPrincipal(String user, String name, List<String> rooms, long expiresAt, long acceptedUntil) {

    public boolean mayJoin(String room) {
        if (rooms == null) return true;
        for (String allowed : rooms) {
            if (allowed.endsWith("*") ? room.startsWith(allowed.substring(0, allowed.length() - 1)) : allowed.equals(room)) {
                return true;
            }
        }
        return false;
    }

    /** True once the token, leeway included, no longer admits this connection ({@code nowMillis} since the epoch). */
    public boolean expired(long nowMillis) {
        return nowMillis >= acceptedUntil;
    }
}
