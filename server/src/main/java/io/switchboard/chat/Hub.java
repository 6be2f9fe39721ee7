package io.switchboard.chat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/** Registry of live connections (by id, user and address) and of loaded rooms. */
public final class Hub {
    /** Outcome of admitting a new connection. */
    public enum Admission { ADMITTED, TOO_MANY_FOR_USER, TOO_MANY_FOR_ADDRESS }

    private final Map<String, Connection> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> byAddress = new ConcurrentHashMap<>();
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Limits limits;
    private final List<ChatEvents> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ChatEvents events = new ChatEvents() {
        @Override
        public void connectionOpened(Connection c) {
            for (ChatEvents l : listeners) l.connectionOpened(c);
        }

        @Override
        public void connectionClosed(Connection c) {
            for (ChatEvents l : listeners) l.connectionClosed(c);
        }

        @Override
        public void joined(Connection c, String room) {
            for (ChatEvents l : listeners) l.joined(c, room);
        }

        @Override
        public void left(Connection c, String room) {
            for (ChatEvents l : listeners) l.left(c, room);
        }

        @Override
        public void messageStored(io.switchboard.protocol.ServerFrame.Message m) {
            for (ChatEvents l : listeners) l.messageStored(m);
        }

        @Override
        public void messageDeleted(String room, long seq) {
            for (ChatEvents l : listeners) l.messageDeleted(room, seq);
        }
    };

    public Hub(Limits limits) {
        this.limits = limits;
    }

    public void addListener(ChatEvents listener) {
        listeners.add(listener);
    }

    /** Where chat changes are reported; fans out to every listener. */
    public ChatEvents events() {
        return events;
    }

    /**
     * Checks the per-user and per-address limits and registers the connection. Its outbox writes nothing until the
     * sequencer starts it with the welcome, so frames sent to it from now on still follow the welcome.
     */
    public synchronized Admission admit(Connection c) {
        Set<Connection> mine = byUser.get(c.user());
        if (mine != null && mine.size() >= limits.connectionsPerUser()) return Admission.TOO_MANY_FOR_USER;
        if (byAddress.getOrDefault(c.remoteAddress(), 0) >= limits.connectionsPerIp()) return Admission.TOO_MANY_FOR_ADDRESS;
        byId.put(c.id(), c);
        byUser.computeIfAbsent(c.user(), u -> new CopyOnWriteArraySet<>()).add(c); // few per user: see Room#add
        byAddress.merge(c.remoteAddress(), 1, Integer::sum);
        events.connectionOpened(c);
        return Admission.ADMITTED;
    }

    /** Removes the connection; true only the first time (close and error may both report it). */
    public synchronized boolean remove(Connection c) {
        if (byId.remove(c.id()) == null) return false;
        byUser.computeIfPresent(c.user(), (u, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
        byAddress.computeIfPresent(c.remoteAddress(), (a, n) -> n <= 1 ? null : n - 1);
        events.connectionClosed(c);
        return true;
    }

    public Connection connection(String id) {
        return byId.get(id);
    }

    public Collection<Connection> connections() {
        return byId.values();
    }

    public List<Connection> connectionsOf(String user) {
        Set<Connection> set = byUser.get(user);
        return set == null ? List.of() : List.copyOf(set);
    }

    public int connectionCount() {
        return byId.size();
    }

    public int userCount() {
        return byUser.size();
    }

    public Room room(String name) {
        return rooms.get(name);
    }

    public Collection<Room> rooms() {
        return rooms.values();
    }

    void putRoom(Room room) {
        rooms.put(room.name(), room);
    }

    /** Unloads the room when nobody here is in it; true when it did. */
    boolean dropRoomIfEmpty(Room room) {
        boolean[] dropped = {false};
        rooms.computeIfPresent(room.name(), (n, r) -> {
            if (r != room || !r.isEmpty()) return r;
            dropped[0] = true;
            return null;
        });
        return dropped[0];
    }

    /** Users with at least one connection here (a live view). */
    public java.util.Set<String> users() {
        return java.util.Collections.unmodifiableSet(byUser.keySet());
    }
}
