package io.switchboard.chat;

/**
 * What happens in the chat core, for live views (the console's event stream). Called on the thread that made the
 * change (Jetty or the sequencer): implementations must only queue work, never block.
 */
public interface ChatEvents {
    default void connectionOpened(Connection c) {}

    default void connectionClosed(Connection c) {}

    default void joined(Connection c, String room) {}

    default void left(Connection c, String room) {}

    /** A room message or room broadcast was stored and fanned out. */
    default void messageStored(io.switchboard.protocol.ServerFrame.Message m) {}

    default void messageDeleted(String room, long seq) {}
}
