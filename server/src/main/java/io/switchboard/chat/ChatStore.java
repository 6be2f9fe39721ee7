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

    /** Already stored messages among these keys, for answering client retries with the original ack. */
    public Map<Key, ServerFrame.Message> findMessages(Connection db, Collection<Key> keys) throws SQLException {
        Map<Key, ServerFrame.Message> found = new HashMap<>();
        List<Key> list = new ArrayList<>(keys);
        for (int from = 0; from < list.size(); from += IN_LIST_CHUNK) {
            List<Key> chunk = list.subList(from, Math.min(list.size(), from + IN_LIST_CHUNK));
            String sql = "SELECT room, seq, client_id, sender, sender_name, body, ts, kind, deleted_at FROM messages WHERE client_id IN ("
                    + placeholders(chunk.size()) + ")";
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i).clientId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ServerFrame.Message m = message(rs);
                        Key k = new Key(m.id(), m.from());
                        if (keys.contains(k)) found.put(k, m);
                    }
                }
            }
        }
        return found;
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

    // --- direct messages ---------------------------------------------------------------------------------------

    public long maxDirectSeq(Connection db) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM direct_messages");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public Map<Key, ServerFrame.DirectMessage> findDirect(Connection db, Collection<Key> keys) throws SQLException {
        Map<Key, ServerFrame.DirectMessage> found = new HashMap<>();
        List<Key> list = new ArrayList<>(keys);
        for (int from = 0; from < list.size(); from += IN_LIST_CHUNK) {
            List<Key> chunk = list.subList(from, Math.min(list.size(), from + IN_LIST_CHUNK));
            String sql = "SELECT seq, client_id, sender, sender_name, recipient, body, ts FROM direct_messages"
                    + " WHERE client_id IN (" + placeholders(chunk.size()) + ")";
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i).clientId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ServerFrame.DirectMessage m = direct(rs);
                        Key k = new Key(m.id(), m.from());
                        if (keys.contains(k)) found.put(k, m);
                    }
                }
            }
        }
        return found;
    }

    /** Inserts direct messages; {@code delivered} tells which were handed to an online connection already. */
    public void insertDirect(Connection db, List<ServerFrame.DirectMessage> messages, List<Boolean> delivered) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO direct_messages"
                + " (seq, client_id, sender, sender_name, recipient, body, ts, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < messages.size(); i++) {
                ServerFrame.DirectMessage m = messages.get(i);
                ps.setLong(1, m.seq());
                ps.setString(2, m.id());
                ps.setString(3, m.from());
                setNullable(ps, 4, m.name());
                ps.setString(5, m.to());
                ps.setString(6, m.text());
                ps.setLong(7, m.ts());
                if (delivered.get(i)) ps.setLong(8, m.ts()); else ps.setNull(8, Types.BIGINT);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Users who have direct messages waiting for them. */
    public List<String> usersWithUndelivered(Connection db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT DISTINCT recipient FROM direct_messages WHERE delivered_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    public List<ServerFrame.DirectMessage> undelivered(Connection db, String user, int limit) throws SQLException {
        List<ServerFrame.DirectMessage> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT seq, client_id, sender, sender_name, recipient, body, ts"
                + " FROM direct_messages WHERE recipient = ? AND delivered_at IS NULL ORDER BY seq LIMIT ?")) {
            ps.setString(1, user);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(direct(rs));
            }
        }
        return out;
    }

    public void markDelivered(Connection db, List<ServerFrame.DirectMessage> messages, long now) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE direct_messages SET delivered_at = ? WHERE seq = ?")) {
            for (ServerFrame.DirectMessage m : messages) {
                ps.setLong(1, now);
                ps.setLong(2, m.seq());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static ServerFrame.DirectMessage direct(ResultSet rs) throws SQLException {
        return new ServerFrame.DirectMessage(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getLong(7));
    }

    private static void setNullable(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) ps.setNull(index, Types.VARCHAR); else ps.setString(index, value);
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
