package io.switchboard.broker;

import io.switchboard.protocol.ServerFrame;

/**
 * What one node tells the others after a change is final: a committed room message or DM stream entry (each with
 * its gap-free position), or a room event without a position. Modelled on centrifuge's {@code Broker} publications
 * and join/leave events, in our own terms. Dispatch with {@link Visitor}: the compiler checks every kind is handled.
 */
public sealed interface Publication {
    /** The room whose channel carries it, or null for a user's DM stream. */
    String room();

    <R> R accept(Visitor<R> visitor);

    /** One method per kind of publication. */
    interface Visitor<R> {
        R roomMessage(RoomMessage p);

        R directEntry(DirectEntry p);

        R presence(RoomPresence p);

        R deleted(RoomDeleted p);

        R closed(RoomClosed p);
    }

    /** A committed room message (operator broadcasts have {@code system: true}); {@code message.seq()} is its position. */
    record RoomMessage(ServerFrame.Message message) implements Publication {
        public String room() { return message.room(); }

        public <R> R accept(Visitor<R> v) { return v.roomMessage(this); }
    }

    /** A committed entry of {@code owner}'s DM stream at position {@code message.seq()}. */
    record DirectEntry(String owner, ServerFrame.DirectMessage message) implements Publication {
        public String room() { return null; }

        public <R> R accept(Visitor<R> v) { return v.directEntry(this); }
    }

    /** A user came online in a room ({@code joined}) or went offline there, counted across all nodes. */
    record RoomPresence(String room, String user, boolean joined) implements Publication {
        public <R> R accept(Visitor<R> v) { return v.presence(this); }
    }

    /** An operator blanked the message at {@code seq}. */
    record RoomDeleted(String room, long seq) implements Publication {
        public <R> R accept(Visitor<R> v) { return v.deleted(this); }
    }

    /** An operator closed the room: every member is removed. */
    record RoomClosed(String room) implements Publication {
        public <R> R accept(Visitor<R> v) { return v.closed(this); }
    }
}
