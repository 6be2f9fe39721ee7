package io.switchboard.chat;

import io.switchboard.protocol.ServerFrame;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** JDBC access for chat data. Methods taking a {@link Connection} run inside the caller's transaction. */
public final class ChatStore {
    /** Identifies a client message for dedup: the client's id, scoped to its sender. */
    public record Key(String clientId, String sender) {}

    /** A room's stored state. */
    public record RoomRow(String name, long lastSeq, long lastActivity, boolean closed) {}

    /** A room as the admin API lists it. */
    public record RoomSummary(String name, long lastSeq, long createdAt, long lastActivity, boolean closed, long members) {}

    /** A user who joined a room (and has not left it). */
    public record Member(String user, long joinedAt) {}

    private static final int IN_LIST_CHUNK = 200;

    private final DataSource dataSource;

    public ChatStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Connection transaction() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    // --- rooms -------------------------------------------------------------------------------------------------

    public RoomRow findRoom(Connection db, String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT name, last_seq, last_activity, closed FROM rooms WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new RoomRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4)) : null;
            }
        }
    }

    public void createRoom(Connection db, String name, long now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO rooms (name, last_seq, created_at, last_activity, closed) VALUES (?, 0, ?, ?, FALSE)")) {
            ps.setString(1, name);
            ps.setLong(2, now);
            ps.setLong(3, now);
            ps.executeUpdate();
        }
    }

    public void updateRoomSeq(Connection db, String room, long lastSeq, long now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE rooms SET last_seq = ?, last_activity = ? WHERE name = ?")) {
            ps.setLong(1, lastSeq);
            ps.setLong(2, now);
            ps.setString(3, room);
            ps.executeUpdate();
        }
    }

    /**
     * Cluster: takes the room's next {@code count} seqs from its counter and returns the new last one. The row stays
     * locked until the transaction ends, so another node's write to the room waits, and seqs become visible in order.
     *
     * @throws SQLException also when the room does not exist (it is loaded on this node, so it did a moment ago)
     */
    public long allocateRoomSeqs(Connection db, String room, int count, long now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "UPDATE rooms SET last_seq = last_seq + ?, last_activity = ? WHERE name = ?")) {
            ps.setLong(1, count);
            ps.setLong(2, now);
            ps.setString(3, room);
            if (ps.executeUpdate() != 1) throw new SQLException("room '" + room + "' is not stored", "02000");
        }
        return lastSeq(db, "SELECT last_seq FROM rooms WHERE name = ?", room);
    }

    /**
     * Cluster: takes the next {@code count} positions of the user's DM stream (creating it) and returns the new last
     * one; locks the stream's row like {@link #allocateRoomSeqs}. Two nodes creating the same stream at once: one
     * fails with a unique violation and writes again.
     */
    public long allocateDmSeqs(Connection db, String user, int count) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE dm_streams SET last_seq = last_seq + ? WHERE user_id = ?")) {
            ps.setLong(1, count);
            ps.setString(2, user);
            if (ps.executeUpdate() == 0) {
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO dm_streams (user_id, last_seq) VALUES (?, ?)")) {
                    insert.setString(1, user);
                    insert.setLong(2, count);
                    insert.executeUpdate();
                }
                return count;
            }
        }
        return lastSeq(db, "SELECT last_seq FROM dm_streams WHERE user_id = ?", user);
    }

    private static long lastSeq(Connection db, String sql, String key) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("no row for '" + key + "'", "02000");
                return rs.getLong(1);
            }
        }
    }

    /** Last seq of each of the named rooms that exist (the position check of a cluster node). */
    public Map<String, Long> roomSeqs(Collection<String> rooms) throws SQLException {
        return positions("SELECT name, last_seq FROM rooms WHERE name IN (", rooms);
    }

    /** Last DM stream position of each of the users that have a stream. */
    public Map<String, Long> dmStreamSeqs(Collection<String> users) throws SQLException {
        return positions("SELECT user_id, last_seq FROM dm_streams WHERE user_id IN (", users);
    }

    /** Reads positions in chunks of at most 500 keys per statement. */
    private Map<String, Long> positions(String select, Collection<String> keys) throws SQLException {
        Map<String, Long> out = new java.util.HashMap<>();
        List<String> all = new ArrayList<>(keys);
        try (Connection db = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += 500) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
                String sql = select + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
                try (PreparedStatement ps = db.prepareStatement(sql)) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return out;
    }

    /** Rooms ordered by name, starting after {@code after} (null: from the first). */
    public List<RoomSummary> listRooms(String after, int limit) throws SQLException {
        List<RoomSummary> out = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement("SELECT r.name, r.last_seq, r.created_at, r.last_activity, r.closed,"
                     + " (SELECT COUNT(*) FROM memberships m WHERE m.room = r.name)"
                     + " FROM rooms r WHERE r.name > ? ORDER BY r.name LIMIT ?")) {
            ps.setString(1, after == null ? "" : after);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RoomSummary(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5), rs.getLong(6)));
                }
            }
        }
        return out;
    }

    public RoomSummary room(String name) throws SQLException {
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement("SELECT r.name, r.last_seq, r.created_at, r.last_activity, r.closed,"
                     + " (SELECT COUNT(*) FROM memberships m WHERE m.room = r.name) FROM rooms r WHERE r.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new RoomSummary(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5), rs.getLong(6))
                        : null;
            }
        }
    }

    /** Members of a room ordered by user id, starting after {@code after}. */
    public List<Member> members(String room, String after, int limit) throws SQLException {
        List<Member> out = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement(
                     "SELECT user_id, joined_at FROM memberships WHERE room = ? AND user_id > ? ORDER BY user_id LIMIT ?")) {
            ps.setString(1, room);
            ps.setString(2, after == null ? "" : after);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Member(rs.getString(1), rs.getLong(2)));
            }
        }
        return out;
    }

    // --- memberships -------------------------------------------------------------------------------------------

    public void addMembership(Connection db, String room, String user, long now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "MERGE INTO memberships m USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(128)), CAST(? AS BIGINT)))"
                        + " AS v (room, user_id, joined_at) ON m.room = v.room AND m.user_id = v.user_id"
                        + " WHEN NOT MATCHED THEN INSERT (room, user_id, joined_at) VALUES (v.room, v.user_id, v.joined_at)")) {
            ps.setString(1, room);
            ps.setString(2, user);
            ps.setLong(3, now);
            ps.executeUpdate();
        }
    }

    public void removeMembership(Connection db, String room, String user) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM memberships WHERE room = ? AND user_id = ?")) {
            ps.setString(1, room);
            ps.setString(2, user);
            ps.executeUpdate();
        }
    }

    // --- room messages -----------------------------------------------------------------------------------------

    /** What a sender's id already names: a room message ({@code room} set) or a DM ({@code recipient} set). */
    public record SentId(String room, String recipient, long seq, long ts, String digest) {}

    /** Ids among these keys that their senders already used, for answering retries and refusing conflicts. */
    public Map<Key, SentId> findIds(Connection db, Collection<Key> keys) throws SQLException {
        Map<Key, SentId> found = new HashMap<>();
        List<Key> list = new ArrayList<>(keys);
        for (int from = 0; from < list.size(); from += IN_LIST_CHUNK) {
            List<Key> chunk = list.subList(from, Math.min(list.size(), from + IN_LIST_CHUNK));
            String sql = "SELECT client_id, sender, room, recipient, seq, ts, digest FROM message_ids WHERE client_id IN ("
                    + placeholders(chunk.size()) + ")";
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i).clientId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Key k = new Key(rs.getString(1), rs.getString(2));
                        if (keys.contains(k)) {
                            found.put(k, new SentId(rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getString(7)));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** Records ids as used; {@code ids} and {@code keys} are parallel lists. */
    public void insertIds(Connection db, List<Key> keys, List<SentId> ids) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO message_ids"
                + " (client_id, sender, room, recipient, seq, ts, digest) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < keys.size(); i++) {
                Key k = keys.get(i);
                SentId id = ids.get(i);
                ps.setString(1, k.clientId());
                ps.setString(2, k.sender());
                setNullable(ps, 3, id.room());
                setNullable(ps, 4, id.recipient());
                ps.setLong(5, id.seq());
                ps.setLong(6, id.ts());
                setNullable(ps, 7, id.digest());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public void insertMessages(Connection db, List<ServerFrame.Message> messages) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO messages"
                + " (room, seq, client_id, sender, sender_name, body, ts, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (ServerFrame.Message m : messages) {
                ps.setString(1, m.room());
                ps.setLong(2, m.seq());
                ps.setString(3, m.id());
                ps.setString(4, m.from());
                setNullable(ps, 5, m.name());
                ps.setString(6, m.text());
                ps.setLong(7, m.ts());
                ps.setString(8, Boolean.TRUE.equals(m.system()) ? "system" : "user");
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Marks a message removed by a moderator and blanks its text; false when there is no such message. */
    public boolean deleteMessage(Connection db, String room, long seq, long now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "UPDATE messages SET deleted_at = COALESCE(deleted_at, ?), body = '' WHERE room = ? AND seq = ?")) {
            ps.setLong(1, now);
            ps.setString(2, room);
            ps.setLong(3, seq);
            return ps.executeUpdate() > 0;
        }
    }

    /** Opens or closes a room; false when the room does not exist. */
    public boolean setClosed(Connection db, String room, boolean closed) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE rooms SET closed = ? WHERE name = ?")) {
            ps.setBoolean(1, closed);
            ps.setString(2, room);
            return ps.executeUpdate() > 0;
        }
    }

    /** The newest {@code limit} messages with seq greater than {@code since}, oldest first. */
    public List<ServerFrame.Message> messagesAfter(Connection db, String room, long since, int limit) throws SQLException {
        return page(db, "SELECT room, seq, client_id, sender, sender_name, body, ts, kind, deleted_at FROM messages"
                + " WHERE room = ? AND seq > ? ORDER BY seq DESC", room, since, limit);
    }

    /** The oldest {@code limit} messages with seq greater than {@code after}, oldest first (paged replay). */
    public List<ServerFrame.Message> messagesFrom(Connection db, String room, long after, int limit) throws SQLException {
        List<ServerFrame.Message> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT room, seq, client_id, sender, sender_name, body, ts, kind,"
                + " deleted_at FROM messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?")) {
            ps.setString(1, room);
            ps.setLong(2, after);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(message(rs));
            }
        }
        return out;
    }

    /** The newest {@code limit} messages with seq lower than {@code before}, oldest first. */
    public List<ServerFrame.Message> messagesBefore(String room, long before, int limit) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            return page(db, "SELECT room, seq, client_id, sender, sender_name, body, ts, kind, deleted_at FROM messages"
                    + " WHERE room = ? AND seq < ? ORDER BY seq DESC", room, before, limit);
        }
    }

    public boolean roomExists(String room) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            return findRoom(db, room) != null;
        }
    }

    private List<ServerFrame.Message> page(Connection db, String sql, String room, long bound, int limit) throws SQLException {
        List<ServerFrame.Message> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql + " LIMIT ?")) {
            ps.setString(1, room);
            ps.setLong(2, bound);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(message(rs));
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    private static ServerFrame.Message message(ResultSet rs) throws SQLException {
        boolean system = "system".equals(rs.getString(8));
        rs.getLong(9);
        boolean deleted = !rs.wasNull();
        return new ServerFrame.Message(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getLong(7), system ? Boolean.TRUE : null, deleted ? Boolean.TRUE : null);
    }

    // --- direct-message streams ------------------------------------------------------------------------------

    /** The last position of a user's DM stream; 0 when the user has none yet. */
    public long dmStreamSeq(Connection db, String user) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT last_seq FROM dm_streams WHERE user_id = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Sets the last position of each user's stream (creating the stream row when needed). */
    public void setDmStreamSeqs(Connection db, Map<String, Long> lastSeqs) throws SQLException {
        List<Map.Entry<String, Long>> missing = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("UPDATE dm_streams SET last_seq = ? WHERE user_id = ?")) {
            for (var e : lastSeqs.entrySet()) {
                ps.setLong(1, e.getValue());
                ps.setString(2, e.getKey());
                if (ps.executeUpdate() == 0) missing.add(e);
            }
        }
        if (missing.isEmpty()) return;
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO dm_streams (user_id, last_seq) VALUES (?, ?)")) {
            for (var e : missing) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** One DM in one user's stream: {@code owner} is the user whose stream it is, {@code message.seq} its position. */
    public record DmEntry(String owner, ServerFrame.DirectMessage message) {}

    public void insertDmEntries(Connection db, List<DmEntry> entries) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO dm_entries"
                + " (owner, seq, client_id, sender, sender_name, recipient, body, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (DmEntry e : entries) {
                ServerFrame.DirectMessage m = e.message();
                ps.setString(1, e.owner());
                ps.setLong(2, m.seq());
                ps.setString(3, m.id());
                ps.setString(4, m.from());
                setNullable(ps, 5, m.name());
                ps.setString(6, m.to());
                ps.setString(7, m.text());
                ps.setLong(8, m.ts());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The oldest {@code limit} DMs of the user's stream with seq greater than {@code after}, oldest first. */
    public List<ServerFrame.DirectMessage> dmsFrom(Connection db, String owner, long after, int limit) throws SQLException {
        return dmPage(db, "SELECT seq, client_id, sender, sender_name, recipient, body, ts FROM dm_entries"
                + " WHERE owner = ? AND seq > ? ORDER BY seq LIMIT ?", owner, after, limit, false);
    }

    /** The newest {@code limit} DMs of the user's stream with seq lower than {@code before}, oldest first. */
    public List<ServerFrame.DirectMessage> dmsBefore(String owner, long before, int limit) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            return dmPage(db, "SELECT seq, client_id, sender, sender_name, recipient, body, ts FROM dm_entries"
                    + " WHERE owner = ? AND seq < ? ORDER BY seq DESC LIMIT ?", owner, before, limit, true);
        }
    }

    private List<ServerFrame.DirectMessage> dmPage(Connection db, String sql, String owner, long bound, int limit,
                                                   boolean reverse) throws SQLException {
        List<ServerFrame.DirectMessage> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, owner);
            ps.setLong(2, bound);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ServerFrame.DirectMessage(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getLong(7)));
                }
            }
        }
        if (reverse) java.util.Collections.reverse(out);
        return out;
    }

    // --- the store's own state -----------------------------------------------------------------------------------

    /** A value from {@code store_state}; null when unset. */
    public String state(Connection db, String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT val FROM store_state WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    public void setState(Connection db, String name, String value) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE store_state SET val = ? WHERE name = ?")) {
            ps.setString(1, value);
            ps.setString(2, name);
            if (ps.executeUpdate() > 0) return;
        }
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO store_state (name, val) VALUES (?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }

    private static void setNullable(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) ps.setNull(index, Types.VARCHAR); else ps.setString(index, value);
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
