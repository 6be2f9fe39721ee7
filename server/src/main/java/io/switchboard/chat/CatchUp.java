package io.switchboard.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one connection still has to receive from the store before it gets a stream live: its DM stream after a
 * position, and rooms after a seq each, in the order they were asked for. Sequencer thread only.
 */
final class CatchUp {
    private long dmsAfter = -1;
    private final Map<String, Long> rooms = new LinkedHashMap<>();

    void addDms(long after) {
        dmsAfter = after;
    }

    /** Position after which the DM stream is still to be sent; -1 when it is live. */
    long dmsAfter() {
        return dmsAfter;
    }

    void dmsSent(long seq) {
        dmsAfter = seq;
    }

    void dmsDone() {
        dmsAfter = -1;
    }

    /** Starts (or restarts) catching up on a room after {@code seq}. */
    void addRoom(String room, long after) {
        rooms.remove(room);
        rooms.put(room, after);
    }

    boolean isCatchingUp(String room) {
        return rooms.containsKey(room);
    }

    String nextRoom() {
        return rooms.keySet().iterator().next();
    }

    long roomAfter(String room) {
        return rooms.get(room);
    }

    void roomSent(String room, long seq) {
        rooms.put(room, seq);
    }

    void roomDone(String room) {
        rooms.remove(room);
    }

    boolean isDone() {
        return dmsAfter < 0 && rooms.isEmpty();
    }
}
