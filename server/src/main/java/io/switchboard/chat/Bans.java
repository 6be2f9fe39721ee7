package io.switchboard.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/** Banned users: stored in the database, kept in memory so that every connect can check without a query. */
public final class Bans {
    /** A ban; {@code expiresAt} null means until lifted. */
    public record Ban(String user, String reason, long createdAt, Long expiresAt, String createdBy) {
        public boolean activeAt(long now) {
            return expiresAt == null || expiresAt > now;
        }
    }

    private final DataSource dataSource;
    private final Map<String, Ban> bans = new ConcurrentHashMap<>();

    public Bans(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Loads the bans still in force; called once at start. */
    public void load(long now) throws SQLException {
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement(
                     "SELECT user_id, reason, created_at, expires_at, created_by FROM bans WHERE expires_at IS NULL OR expires_at > ?")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long expires = rs.getLong(4);
                    Long expiresAt = rs.wasNull() ? null : expires;
                    bans.put(rs.getString(1), new Ban(rs.getString(1), rs.getString(2), rs.getLong(3), expiresAt, rs.getString(5)));
                }
            }
        }
    }

    public Optional<Ban> active(String user, long now) {
        Ban b = bans.get(user);
        if (b == null) return Optional.empty();
        if (!b.activeAt(now)) {
            bans.remove(user, b);
            return Optional.empty();
        }
        return Optional.of(b);
    }

    /** Bans in force, newest first. */
    public List<Ban> list(long now) {
        return bans.values().stream().filter(b -> b.activeAt(now))
                .sorted(Comparator.comparingLong(Ban::createdAt).reversed().thenComparing(Ban::user)).toList();
    }

    /** Stores the ban (replacing an earlier one of the same user); blocking, call off the I/O threads. */
    public void add(Ban ban) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                try (PreparedStatement del = db.prepareStatement("DELETE FROM bans WHERE user_id = ?")) {
                    del.setString(1, ban.user());
                    del.executeUpdate();
                }
                try (PreparedStatement ins = db.prepareStatement(
                        "INSERT INTO bans (user_id, reason, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?)")) {
                    ins.setString(1, ban.user());
                    ins.setString(2, ban.reason());
                    ins.setLong(3, ban.createdAt());
                    if (ban.expiresAt() == null) ins.setNull(4, Types.BIGINT); else ins.setLong(4, ban.expiresAt());
                    ins.setString(5, ban.createdBy());
                    ins.executeUpdate();
                }
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw e;
            }
        }
        bans.put(ban.user(), ban);
    }

    /** Another node stored this ban: refuse the user here too. */
    public void remember(Ban ban) {
        bans.put(ban.user(), ban);
    }

    /** Another node lifted the user's ban. */
    public void forget(String user) {
        bans.remove(user);
    }

    /**
     * Reads the bans in force again, replacing what is known (a cluster node does this periodically, so a ban or
     * unban whose control message was lost still takes effect); blocking. Returns the bans not known before, whose
     * users' connections here the caller closes.
     */
    public List<Ban> reload(long now) throws SQLException {
        Bans fresh = new Bans(dataSource);
        fresh.load(now);
        List<Ban> added = new java.util.ArrayList<>();
        for (Ban b : fresh.bans.values()) if (!b.equals(bans.get(b.user()))) added.add(b);
        bans.keySet().retainAll(fresh.bans.keySet());
        bans.putAll(fresh.bans);
        return added;
    }

    /** Lifts a ban; false when the user was not banned (an expired ban counts as none). */
    public boolean lift(String user) throws SQLException {
        boolean active = active(user, System.currentTimeMillis()).isPresent();
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement("DELETE FROM bans WHERE user_id = ?")) {
            ps.setString(1, user);
            ps.executeUpdate();
        }
        bans.remove(user);
        return active;
    }
}
