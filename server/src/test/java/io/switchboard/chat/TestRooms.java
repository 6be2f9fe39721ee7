package io.switchboard.chat;

/** Test-only: marks a connection as joined to a room without a sequencer (for fast tests of room filters). */
public final class TestRooms {
    private TestRooms() {}

    public static void join(Connection c, String room) {
        c.rooms.add(room);
    }
}
