package io.switchboard.chat;

import io.switchboard.broker.Broker;
import io.switchboard.broker.Publication;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.sql.SQLException;
import java.util.List;

/**
 * Operators' commands on rooms (broadcast, delete a message, close, create), run on the sequencer thread in order
 * with the chat traffic. Each changes the store first, then tells the members here and, through the broker, the
 * other nodes. Results count this node's connections only. Sequencer thread only.
 */
public final class RoomOperations {
    private final ChatStore store;
    private final Hub hub;
    private final FrameCodec codec;
    private final Metrics metrics;
    private final MessageWriter writer;
    private final Fanout fanout;
    private final Broker broker;

    RoomOperations(ChatStore store, Hub hub, FrameCodec codec, Metrics metrics, MessageWriter writer, Fanout fanout,
                   Broker broker) {
        this.store = store;
        this.hub = hub;
        this.codec = codec;
        this.metrics = metrics;
        this.writer = writer;
        this.fanout = fanout;
        this.broker = broker;
    }

    /** Stores the broadcast as the room's next message and sends it to the members; -1 when there is no room. */
    int broadcast(String name, String text) throws SQLException {
        long now = System.currentTimeMillis();
        ServerFrame.Message stored;
        try (var db = store.transaction()) {
            ChatStore.RoomRow row = store.findRoom(db, name);
            if (row == null) return -1;
            long seq = writer.nextRoomSeq(db, name, row.lastSeq(), now);
            stored = new ServerFrame.Message(name, seq, "system-" + io.switchboard.auth.Secrets.random(9),
                    "system", null, text, now, true, null);
            store.insertMessages(db, List.of(stored));
            if (!writer.isShared()) store.updateRoomSeq(db, name, seq, now);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            writer.roomWriteFailed(hub.room(name));
            throw e;
        }
        hub.events().messageStored(stored);
        broker.publish(new Publication.RoomMessage(stored));
        Room live = hub.room(name);
        return live == null ? 0 : fanout.roomMessage(live, stored);
    }

    boolean deleteMessage(String room, long seq) throws SQLException {
        try (var db = store.transaction()) {
            boolean found = store.deleteMessage(db, room, seq, System.currentTimeMillis());
            db.commit();
            if (!found) return false;
        }
        deleted(room, seq);
        broker.publish(new Publication.RoomDeleted(room, seq));
        return true;
    }

    /** A message was blanked (here or on another node): tells the members here. */
    void deleted(String room, long seq) {
        Room live = hub.room(room);
        if (live != null) fanout.roomFrame(live, new ServerFrame.Deleted(room, seq), null);
        hub.events().messageDeleted(room, seq);
    }

    int setClosed(String name, boolean closed) throws SQLException {
        try (var db = store.transaction()) {
            boolean found = store.setClosed(db, name, closed);
            db.commit();
            if (!found) return -1;
        }
        if (!closed) return 0;
        broker.publish(new Publication.RoomClosed(name));
        return removeAll(name);
    }

    /** The room was closed (here or on another node): removes every connection here from it; returns how many. */
    int removeAll(String name) {
        Room live = hub.room(name);
        if (live == null) return 0;
        String notice = codec.encode(new ServerFrame.Left(null, name, "room_closed"));
        int removed = 0;
        for (Connection c : live.connections()) {
            live.remove(c);
            c.rooms.remove(name);
            metrics.leaves.mark();
            hub.events().left(c, name);
            fanout.deliver(c, notice);
            removed++;
        }
        if (hub.dropRoomIfEmpty(live)) broker.unsubscribeRoom(name);
        return removed;
    }

    boolean createRoom(String name) throws SQLException {
        try (var db = store.transaction()) {
            if (store.findRoom(db, name) != null) return false;
            store.createRoom(db, name, System.currentTimeMillis());
            db.commit();
            return true;
        }
    }
}
