package io.switchboard.chat;

import io.switchboard.broker.Broker;
import io.switchboard.metrics.Metrics;
import io.switchboard.presence.Presence;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.sql.SQLException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections and rooms: opening a connection (its welcome and DM stream), joins with their replay, leaves,
 * disconnects, and the presence they cause. Rooms are loaded on a node while it has members there, and the node
 * subscribes to the room's channel meanwhile (users' DM channels likewise). Sequencer thread only.
 */
final class Memberships {
    private static final Logger log = LoggerFactory.getLogger(Memberships.class);

    private final ChatStore store;
    private final Hub hub;
    private final FrameCodec codec;
    private final Limits limits;
    private final Metrics metrics;
    private final StoreEpoch epoch;
    private final MessageWriter writer;
    private final Fanout fanout;
    private final Broker broker;
    private final Presence presence;
    private final Consumer<Command> internal;

    /** @param internal queues a command for the sequencer (from any thread) */
    Memberships(ChatStore store, Hub hub, FrameCodec codec, Limits limits, Metrics metrics, StoreEpoch epoch,
                MessageWriter writer, Fanout fanout, Broker broker, Presence presence, Consumer<Command> internal) {
        this.store = store;
        this.hub = hub;
        this.codec = codec;
        this.limits = limits;
        this.metrics = metrics;
        this.epoch = epoch;
        this.writer = writer;
        this.fanout = fanout;
        this.broker = broker;
        this.presence = presence;
        this.internal = internal;
    }

    void open(Command.Open o) {
        Connection conn = o.conn();
        if (conn.isClosed()) return;
        String user = conn.user();
        long stored = writer.cachedDmStreamSeq(user);
        if (stored < 0) {
            try (var db = store.transaction()) {
                stored = writer.dmStreamSeq(db, user);
                db.commit();
            } catch (SQLException e) {
                log.warn("Could not read the DM stream of {}; closing the new connection: {}", user, e.toString());
                conn.close(CloseCodes.TRY_AGAIN_LATER, "unavailable");
                return;
            }
        }
        if (fanout.dmDelivered(user) < 0) broker.subscribeUser(user);
        fanout.userOpened(user, stored);
        long position = fanout.dmDelivered(user);
        ServerFrame.Welcome w = o.welcome();
        String current = epoch.current();
        conn.start(codec.encode(new ServerFrame.Welcome(w.connectionId(), w.user(), w.name(), w.serverTime(), w.heartbeat(),
                w.limits(), new ServerFrame.StreamPosition(position, current))));
        boolean sameEpoch = o.dmEpoch() == null || o.dmEpoch().equals(current);
        if (o.dmSince() != null && sameEpoch && o.dmSince() < position) {
            conn.catchUpState().addDms(o.dmSince());
            fanout.catchUp(conn);
        } else {
            conn.dmLive = true;
        }
    }

    void join(Command.Join j, MessageWriter.Pending pending) {
        Connection conn = j.conn();
        if (conn.isClosed()) return;
        try {
            Room room = hub.room(j.room());
            if (room == null) {
                ChatStore.RoomRow row = findOrCreateRoom(j.room());
                if (row == null || row.closed()) {
                    conn.rooms.remove(j.room());
                    fanout.send(conn, row == null
                            ? new ServerFrame.Error(ErrorCode.ROOM_NOT_FOUND.wire(), "room '" + j.room() + "' does not exist", j.frameId())
                            : new ServerFrame.Error(ErrorCode.ROOM_CLOSED.wire(), "room '" + j.room() + "' is closed", j.frameId()));
                    return;
                }
                room = load(row);
            }
            // The replay range is known from the seq alone (seqs have no gaps); the messages themselves are read
            // page by page by the catch-up, which then turns the room live for this connection.
            long last = room.lastSeq();
            String current = epoch.current();
            Integer replayed = null;
            Boolean hasMore = null;
            Long firstReplayed = null;
            long replayAfter = -1;
            if (j.since() != null) {
                boolean sameEpoch = j.epoch() == null || j.epoch().equals(current);
                if (sameEpoch && j.since() < last) {
                    replayAfter = Math.max(j.since(), last - limits.replayMax());
                    replayed = (int) (last - replayAfter);
                    hasMore = replayAfter > j.since();
                    firstReplayed = replayAfter + 1;
                } else {
                    replayed = 0;
                    hasMore = false;
                }
            }
            boolean firstHere = room.add(conn);
            metrics.joins.mark();
            hub.events().joined(conn, room.name());
            fanout.send(conn, new ServerFrame.Joined(j.frameId(), room.name(), last, current, room.onlineUsers(),
                    replayed, hasMore, firstReplayed));
            if (replayAfter >= 0) {
                conn.catchUpState().addRoom(room.name(), replayAfter);
                fanout.catchUp(conn);
            } else if (conn.catchUp != null) {
                conn.catchUp.roomDone(room.name()); // a re-join without since is live from here
            }
            if (firstHere) {
                pending.memberships.add(new MessageWriter.Membership(room.name(), conn.user(), true));
                String name = room.name();
                String user = conn.user();
                // The members here see the user come online now, unless they already knew them online elsewhere;
                // the other nodes hear it only if this is the user's first connection in the room anywhere.
                if (!room.isOnlineElsewhere(user)) {
                    fanout.roomFrame(room, new ServerFrame.Presence(name, user, "join"), user);
                }
                presence.joined(name, user).whenComplete((first, error) -> {
                    // While Redis is away every join would say so: the node's /ready and metrics already do.
                    if (error != null) log.debug("Presence of {} in {} not recorded: {}", user, name, error.toString());
                    else if (first) internal.accept(new Command.PresenceChanged(name, user, true));
                });
            }
        } catch (SQLException e) {
            log.warn("Join of {} to room {} failed: {}", conn.user(), j.room(), e.toString());
            conn.rooms.remove(j.room());
            Room loaded = hub.room(j.room());
            if (loaded != null) unloadIfEmpty(loaded);
            fanout.send(conn, new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "join failed, retry", j.frameId()));
        }
    }

    /**
     * Loads a room on this node: subscribes to its channel first, then takes its stored position as delivered (what
     * is published between the two arrives as a gap and is filled from the store, see {@link Fanout}).
     */
    private Room load(ChatStore.RoomRow row) {
        broker.subscribeRoom(row.name());
        Room room = new Room(row.name(), row.lastSeq(), row.lastActivity());
        hub.putRoom(room);
        if (broker.isShared()) {
            presence.online(row.name()).whenComplete((users, error) -> {
                if (error == null) internal.accept(new Command.OnlineElsewhere(row.name(), users));
            });
        }
        return room;
    }

    /** The stored room, created first when rooms are created on join; null when it does not exist. */
    private ChatStore.RoomRow findOrCreateRoom(String name) throws SQLException {
        try (var db = store.transaction()) {
            ChatStore.RoomRow row = store.findRoom(db, name);
            if (row == null && limits.autocreateRooms()) {
                long now = System.currentTimeMillis();
                try {
                    store.createRoom(db, name, now);
                } catch (SQLException e) {
                    if (!broker.isShared() || !"23505".equals(e.getSQLState())) throw e;
                    db.rollback(); // another node created it at the same moment
                    row = store.findRoom(db, name);
                    db.commit();
                    return row;
                }
                row = new ChatStore.RoomRow(name, 0, now, false);
            }
            db.commit();
            return row;
        }
    }

    void leave(Command.Leave l, MessageWriter.Pending pending) {
        Connection conn = l.conn();
        Room room = hub.room(l.room());
        if (room != null && leaveRoom(conn, room)) {
            pending.memberships.add(new MessageWriter.Membership(room.name(), conn.user(), false));
        }
        fanout.send(conn, new ServerFrame.Left(l.frameId(), l.room(), null));
    }

    void disconnect(Connection conn) {
        for (String name : conn.rooms()) {
            Room room = hub.room(name);
            if (room != null) leaveRoom(conn, room);
        }
        String user = conn.user();
        if (hub.connectionsOf(user).isEmpty() && fanout.dmDelivered(user) >= 0) {
            fanout.userClosed(user);
            broker.unsubscribeUser(user);
        }
    }

    /** Removes the connection from the room; true when it was the user's last one there on this node. */
    private boolean leaveRoom(Connection conn, Room room) {
        if (!room.contains(conn)) return false;
        metrics.leaves.mark();
        hub.events().left(conn, room.name());
        boolean lastHere = room.remove(conn);
        if (lastHere) {
            String name = room.name();
            String user = conn.user();
            if (!room.isOnlineElsewhere(user)) {
                fanout.roomFrame(room, new ServerFrame.Presence(name, user, "leave"), user);
            }
            presence.left(name, user).whenComplete((last, error) -> {
                if (error != null) log.debug("Presence of {} in {} not removed (it expires): {}", user, name, error.toString());
                else if (last) internal.accept(new Command.PresenceChanged(name, user, false));
            });
        }
        unloadIfEmpty(room);
        return lastHere;
    }

    /** Unloads a room nobody here is in any more, and stops listening to its channel. */
    void unloadIfEmpty(Room room) {
        if (hub.dropRoomIfEmpty(room)) broker.unsubscribeRoom(room.name());
    }

    /**
     * A user came online or went offline in a room, counted over every node: from the presence seam's answer to
     * this node (first or last anywhere, an expired entry, one of ours back after expiring), published to the other
     * nodes and applied here; or from another node's publication, applied here. Applying changes this node's view of
     * who is online elsewhere, and the members here hear of it only when the user's state in their view changes —
     * so a user is announced once, whatever the order in which nodes learn of each other's joins and leaves.
     */
    void presenceChanged(String roomName, String user, boolean joined, boolean fromHere) {
        Room room = hub.room(roomName);
        // This node's own "first anywhere" is about a user connected here: the members here heard it at the join.
        boolean ours = fromHere && joined;
        if (room != null && !ours && room.onlineElsewhere(user, joined)) {
            fanout.roomFrame(room, new ServerFrame.Presence(roomName, user, joined ? "join" : "leave"), user);
        }
        if (fromHere) broker.publish(new io.switchboard.broker.Publication.RoomPresence(roomName, user, joined));
    }

    /**
     * The presence seam's answer for a room that loaded here: users online through other nodes. The members here
     * joined with a list of this node's users only, so each of those users is announced to them as a presence join.
     */
    void onlineElsewhere(String roomName, java.util.Set<String> users) {
        Room room = hub.room(roomName);
        if (room == null) return;
        for (String user : room.onlineElsewhere(users)) {
            fanout.roomFrame(room, new ServerFrame.Presence(roomName, user, "join"), user);
        }
    }
}
