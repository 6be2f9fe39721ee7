package io.switchboard.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * A room's live state. Mutated only by the {@link Sequencer} thread; read concurrently by admin views, hence the
 * concurrent collections and the volatile counter.
 */
public final class Room {
    private final String name;
    private volatile long lastSeq;
    private volatile long lastActivity;
    private final Map<String, Set<Connection>> members = new ConcurrentHashMap<>();
    /**
     * Sequencer thread only: committed messages that arrived ahead of the next seq (another node's publication with
     * a lower seq is still on its way), by seq, held until it arrives or the wait for it runs out.
     */
    final java.util.TreeMap<Long, io.switchboard.protocol.ServerFrame.Message> early = new java.util.TreeMap<>();
    /** Sequencer thread only: when the oldest message in {@link #early} arrived ({@link System#nanoTime()}). */
    long earlySince;
    /** Users online in this room through other nodes only (cluster presence); empty on a single node. */
    private final Set<String> elsewhere = ConcurrentHashMap.newKeySet();

    Room(String name, long lastSeq, long lastActivity) {
        this.name = name;
        this.lastSeq = lastSeq;
        this.lastActivity = lastActivity;
    }

    public String name() { return name; }
    public long lastSeq() { return lastSeq; }
    public long lastActivity() { return lastActivity; }

    void advance(long seq, long ts) {
        lastSeq = seq;
        lastActivity = ts;
    }

    /** Adds the connection; true when it is the user's first connection in this room. */
    boolean add(Connection c) {
        // A copy-on-write set: a user has one or a few connections in a room, and an empty or one-element set costs a
        // fraction of a concurrent hash set's memory (this is per member, so per connection); iteration is a plain array.
        Set<Connection> set = members.computeIfAbsent(c.user(), u -> new CopyOnWriteArraySet<>());
        boolean first = set.isEmpty();
        set.add(c);
        return first;
    }

    /** Removes the connection; true when it was the user's last connection in this room. */
    boolean remove(Connection c) {
        Set<Connection> set = members.get(c.user());
        if (set == null || !set.remove(c)) return false;
        if (set.isEmpty()) {
            members.remove(c.user());
            return true;
        }
        return false;
    }

    boolean contains(Connection c) {
        Set<Connection> set = members.get(c.user());
        return set != null && set.contains(c);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** Users online in the room: with a connection here, or (in a cluster) on another node. */
    public List<String> onlineUsers() {
        if (elsewhere.isEmpty()) return List.copyOf(members.keySet());
        java.util.Set<String> all = new java.util.TreeSet<>(members.keySet());
        all.addAll(elsewhere);
        return List.copyOf(all);
    }

    /** Users with a connection in the room on this node. */
    public List<String> usersHere() {
        return List.copyOf(members.keySet());
    }

    /**
     * Cluster presence: the user came online ({@code online}) or went offline in this room on other nodes. Returns
     * true when that changes whether the user is online for the members here (a user with a connection here stays
     * online whatever other nodes say).
     */
    boolean onlineElsewhere(String user, boolean online) {
        boolean wasOnline = members.containsKey(user) || elsewhere.contains(user);
        if (online) elsewhere.add(user); else elsewhere.remove(user);
        if (members.containsKey(user)) return false;
        return wasOnline != elsewhere.contains(user);
    }

    /** Whether the user is online in this room through another node, as far as this node knows. */
    boolean isOnlineElsewhere(String user) {
        return elsewhere.contains(user);
    }

    /**
     * Cluster presence: who is online through other nodes, as the presence seam answered when the room loaded;
     * returns the users not known here before (the members here have not heard of them yet).
     */
    List<String> onlineElsewhere(java.util.Collection<String> users) {
        List<String> added = new ArrayList<>();
        for (String u : users) if (!members.containsKey(u) && elsewhere.add(u)) added.add(u);
        return added;
    }

    public int connectionCount() {
        return members.values().stream().mapToInt(Set::size).sum();
    }

    /** Connections of this user in the room now. */
    public int connectionCount(String user) {
        Set<Connection> set = members.get(user);
        return set == null ? 0 : set.size();
    }

    List<Connection> connections() {
        List<Connection> out = new ArrayList<>();
        members.values().forEach(out::addAll);
        return out;
    }

    void forEachConnection(java.util.function.Consumer<Connection> action) {
        for (Set<Connection> set : members.values()) {
            for (Connection c : set) action.accept(c);
        }
    }
}
