package io.switchboard.auth;

import java.util.List;

/**
 * The user behind a chat connection, from a verified client token. {@code rooms} is the token's allow-list,
 * null when the token allows every room; an entry ending in {@code *} allows every room with that prefix.
 */
public record ClientPrincipal(String user, String name, List<String> rooms, long expiresAt) {

    public boolean mayJoin(String room) {
        if (rooms == null) return true;
        for (String allowed : rooms) {
            if (allowed.endsWith("*") ? room.startsWith(allowed.substring(0, allowed.length() - 1)) : allowed.equals(room)) {
                return true;
            }
        }
        return false;
    }
}
