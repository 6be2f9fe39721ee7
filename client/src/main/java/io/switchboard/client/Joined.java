package io.switchboard.client;

import java.util.List;

/**
 * The server accepted a join (also after every reconnect). {@code seq} is the room's latest seq at that moment and
 * {@code epoch} the epoch of the room's sequence (null from a server without epochs); {@code members} are the users
 * online in it; {@code replayed}, {@code hasMore} and {@code firstReplayed} describe the catch-up the client asked
 * for with {@code since} (the client pages any remaining gap by itself).
 */
public record Joined(String room, long seq, List<String> members, int replayed, boolean hasMore, Long firstReplayed,
                     String epoch) {
    public Joined {
        members = List.copyOf(members);
    }
}
