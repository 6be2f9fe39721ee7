package io.switchboard.client;

/**
 * The server's sequence is not the one the client had a position in: its epoch changed (store restored from a
 * backup, unclean stop, operator reset) or it is shorter than what was delivered. The client dropped its position;
 * the application should drop what it showed of that room ({@code room}) or, when {@code room} is null, of the
 * direct-message stream. The newest messages (up to the builder's {@code resetPage}) are then delivered again, in
 * seq order, followed by live ones.
 *
 * @param room    the room, or null for the direct-message stream
 * @param dropped the position the client had (its epoch may be null when it never knew one)
 * @param current the server's latest position and epoch; delivery goes on from here after the re-paged messages
 */
public record Reset(String room, Position dropped, Position current) {
    /** True when this is the user's direct-message stream rather than a room. */
    public boolean directMessages() {
        return room == null;
    }
}
