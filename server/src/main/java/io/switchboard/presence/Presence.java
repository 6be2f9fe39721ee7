package io.switchboard.presence;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Who is online in which room, counted per user across every node: a user is online in a room while at least one of
 * their connections anywhere is a member. Nodes report only transitions of their own (a user's first connection in
 * the room on this node, their last one); the answers say whether that was also the first or last anywhere, which is
 * when the room hears {@code presence join/leave}. Entries of a node that stops reporting expire after
 * {@code presence.ttl}. Modelled on centrifuge's {@code PresenceManager} ({@code presence.go}), counted per user.
 * Methods return at once; the stages complete on another thread or at once.
 */
public interface Presence extends AutoCloseable {
    /** This node's first connection of {@code user} joined {@code room}; completes true when it is the first anywhere. */
    CompletionStage<Boolean> joined(String room, String user);

    /** This node's last connection of {@code user} left {@code room}; completes true when it was the last anywhere. */
    CompletionStage<Boolean> left(String room, String user);

    /** Users online in the room on every node (this node's included); an empty set when nothing is known. */
    CompletionStage<Set<String>> online(String room);

    /**
     * Users whose entries expired (their node stopped reporting), per room; each expiry is reported to one node only,
     * which tells the room. A single node never has any.
     */
    CompletionStage<java.util.Map<String, Set<String>>> expired();

    @Override
    void close();
}
