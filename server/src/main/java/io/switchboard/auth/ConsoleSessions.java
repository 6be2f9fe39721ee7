package io.switchboard.auth;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Web console sessions: an admin token exchanged for a random session id (kept in an HttpOnly, SameSite=Strict
 * cookie) plus a CSRF token the page sends with every change. Sessions live in memory and end on restart.
 */
public final class ConsoleSessions {
    public static final String COOKIE = "sb_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final int MAX_SESSIONS = 1000;

    /** A signed-in console user. */
    public record Session(String id, AdminAuth.Admin admin, String csrf, long createdAt, long expiresAt) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration ttl;

    public ConsoleSessions(Duration ttl) {
        this.ttl = ttl;
    }

    public Duration ttl() {
        return ttl;
    }

    public Session create(AdminAuth.Admin admin) {
        long now = System.currentTimeMillis();
        sessions.values().removeIf(s -> s.expiresAt() <= now);
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(Comparator.comparingLong(Session::createdAt))
                    .ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        Session s = new Session(Secrets.random(32), admin, Secrets.random(24), now, now + ttl.toMillis());
        sessions.put(s.id(), s);
        return s;
    }

    public Optional<Session> find(String id) {
        if (id == null) return Optional.empty();
        Session s = sessions.get(id);
        if (s == null) return Optional.empty();
        if (s.expiresAt() <= System.currentTimeMillis()) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public void end(String id) {
        if (id != null) sessions.remove(id);
    }
}
