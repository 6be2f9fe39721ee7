package io.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Web console sessions: an admin token exchanged for a random session id (kept in an HttpOnly, SameSite=Strict
 * cookie) plus a CSRF token the page sends with every change. Sessions are stored (as a hash of the id) so that
 * an open console carries on after a restart, and kept in memory so that checking one never touches the database.
 * A session belongs to an admin token's name: when that name is no longer configured, its sessions end.
 */
public final class ConsoleSessions {
    public static final String COOKIE = "sb_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final int MAX_SESSIONS = 1000;

    /** A signed-in console user; {@code idHash} identifies it in storage. */
    public record Session(String idHash, AdminAuth.Admin admin, String csrf, long createdAt, long expiresAt) {}

    /** A new session and the id for its cookie (only the hash is stored). */
    public record Created(String id, Session session) {}

    private final DataSource dataSource;
    private final AdminAuth auth;
    private final Duration ttl;
    private final Map<String, Session> byHash = new ConcurrentHashMap<>();

    public ConsoleSessions(DataSource dataSource, AdminAuth auth, Duration ttl) {
        this.dataSource = dataSource;
        this.auth = auth;
        this.ttl = ttl;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Loads the stored sessions that are still valid; called once at start. */
    public void load() throws SQLException {
        long now = System.currentTimeMillis();
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM console_sessions WHERE expires_at <= ?")) {
                ps.setLong(1, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT id_hash, admin, csrf, created_at, expires_at FROM console_sessions ORDER BY created_at DESC")) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && byHash.size() < MAX_SESSIONS) {
                        Optional<AdminAuth.Admin> admin = auth.byName(rs.getString(2));
                        if (admin.isPresent()) {
                            byHash.put(rs.getString(1), new Session(rs.getString(1), admin.get(), rs.getString(3),
                                    rs.getLong(4), rs.getLong(5)));
                        }
                    }
                }
            }
        }
    }

    /** Creates and stores a session; blocking, call off the I/O threads. */
    public Created create(AdminAuth.Admin admin) throws SQLException {
        long now = System.currentTimeMillis();
        byHash.values().removeIf(s -> s.expiresAt() <= now);
        if (byHash.size() >= MAX_SESSIONS) throw new IllegalStateException("too many console sessions");
        String id = Secrets.random(32);
        Session s = new Session(hash(id), admin, Secrets.random(24), now, now + ttl.toMillis());
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement(
                     "INSERT INTO console_sessions (id_hash, admin, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, s.idHash());
            ps.setString(2, admin.name());
            ps.setString(3, s.csrf());
            ps.setLong(4, s.createdAt());
            ps.setLong(5, s.expiresAt());
            ps.executeUpdate();
        }
        byHash.put(s.idHash(), s);
        return new Created(id, s);
    }

    /** The live session for a cookie value; memory only. */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) return Optional.empty();
        Session s = byHash.get(hash(id));
        if (s == null) return Optional.empty();
        if (s.expiresAt() <= System.currentTimeMillis()) {
            byHash.remove(s.idHash());
            return Optional.empty();
        }
        return Optional.of(s);
    }

    /** Ends a session at once in memory, then in storage; blocking, call off the I/O threads. */
    public void end(Session s) throws SQLException {
        byHash.remove(s.idHash());
        try (Connection db = dataSource.getConnection();
             PreparedStatement ps = db.prepareStatement("DELETE FROM console_sessions WHERE id_hash = ?")) {
            ps.setString(1, s.idHash());
            ps.executeUpdate();
        }
    }

    private static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
