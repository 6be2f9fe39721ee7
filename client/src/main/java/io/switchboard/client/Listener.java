package io.switchboard.client;

/**
 * Receives what the server sends. Every method has an empty default, so implement only what you need.
 *
 * <p>All calls of one client come on that client's callback thread, one at a time and in order: room messages and
 * direct messages in seq order, each exactly once (also across reconnects). A slow callback delays later callbacks but not the
 * protocol (acks, heartbeats, reconnects). Do not block a callback waiting on a future of the same client: futures
 * complete on this same thread. Exceptions thrown by a callback are logged and otherwise ignored.
 */
public interface Listener {
    /** A room message (also a removed one, {@code deleted = true}, when it arrives through catch-up). */
    default void onMessage(Message message) {}

    /**
     * A direct message to this user, or the echo of one this user sent: each once, in the order of the user's
     * direct-message stream ({@link DirectMessage#seq()}), also across reconnects (the client resumes the stream
     * where delivery stopped).
     */
    default void onDirectMessage(DirectMessage message) {}

    /**
     * The server's sequence of a room (or of the direct-message stream, {@link Reset#directMessages()}) is not the
     * one the client had a position in. Drop what you showed of it: the newest messages come again next, in order.
     */
    default void onReset(Reset reset) {}

    default void onPresence(Presence presence) {}

    /** An operator broadcast; a room broadcast comes in seq order with the room's messages. */
    default void onSystem(SystemNotice notice) {}

    /** An operator removed a message this client may already have delivered. */
    default void onDeleted(Deleted deleted) {}

    /** An operator kicked this connection; a ban ends the client (state CLOSED), a kick reconnects. */
    default void onKicked(Kicked kicked) {}

    /** A room was joined, the first time and after every reconnect. */
    default void onJoined(Joined joined) {}

    /** The server took the client out of a room (an operator closed it); the client does not rejoin it. */
    default void onLeft(Left left) {}

    /**
     * The connection state changed; {@code reason} says why for {@link State#RECONNECTING} and {@link State#CLOSED}
     * (for example {@code "1001 going_away"} or {@code "connect failed: ConnectException"}), else it is null.
     */
    default void onStateChange(State state, String reason) {}

    /** A problem not tied to one request: an error frame without an id, a room that could not be rejoined, ... */
    default void onError(SwitchboardException error) {}
}
