package io.switchboard.admin;

import io.javalin.http.Context;
import io.switchboard.auth.AdminAuth;
import io.switchboard.auth.ConsoleSessions;
import io.switchboard.net.Addresses;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import io.switchboard.chat.TokenBucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guards {@code /api/}: a valid admin bearer token or console session cookie (401), the operator role for anything
 * but reads (403), the CSRF token for changes made with a session cookie (403), and a request rate per admin (429).
 * Never tells which tokens exist.
 */
public final class AdminGuard {
    public static final String ADMIN = "switchboard.admin";

    private final AdminAuth auth;
    private final ConsoleSessions sessions;
    private final int ratePerSecond;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    /** Failed attempts per address: about one guess a second after a burst, so tokens cannot be brute-forced. */
    private final Map<String, TokenBucket> failures = new ConcurrentHashMap<>();

    public AdminGuard(AdminAuth auth, ConsoleSessions sessions, int ratePerSecond) {
        this.auth = auth;
        this.sessions = sessions;
        this.ratePerSecond = ratePerSecond;
    }

    public void check(Context ctx) {
        String authorization = ctx.header("Authorization");
        Optional<AdminAuth.Admin> admin = auth.authenticate(authorization);
        Optional<ConsoleSessions.Session> session = Optional.empty();
        if (admin.isEmpty() && authorization == null) {
            session = sessions.find(ctx.cookie(ConsoleSessions.COOKIE));
            admin = session.map(ConsoleSessions.Session::admin);
        }
        if (admin.isEmpty()) {
            if (failures.size() > 10_000) failures.clear(); // bounded under a spray of addresses
            TokenBucket guesses = failures.computeIfAbsent(Addresses.of(ctx), ip -> new TokenBucket(1, 30, System.nanoTime()));
            if (!guesses.tryTake(System.nanoTime())) {
                ctx.header("Retry-After", "1");
                refuse(ctx, Problem.of("rate-limited", "Too Many Requests", 429, "too many failed attempts"));
                return;
            }
            ctx.header("WWW-Authenticate", "Bearer realm=\"switchboard\"");
            refuse(ctx, Problem.of("unauthorized", "Unauthorized", 401, "a valid admin bearer token is required"));
            return;
        }
        AdminAuth.Admin a = admin.get();
        boolean read = ctx.method().name().equals("GET") || ctx.method().name().equals("HEAD");
        if (!read && session.isPresent() && !constantTimeEquals(session.get().csrf(), ctx.header(ConsoleSessions.CSRF_HEADER))) {
            refuse(ctx, Problem.of("csrf", "Forbidden", 403, "missing or wrong " + ConsoleSessions.CSRF_HEADER + " header"));
            return;
        }
        if (!read && a.role() != AdminAuth.Role.OPERATOR) {
            refuse(ctx, Problem.of("forbidden", "Forbidden", 403, "this action needs the operator role"));
            return;
        }
        TokenBucket bucket = buckets.computeIfAbsent(a.name(), n -> new TokenBucket(ratePerSecond, 2.0 * ratePerSecond, System.nanoTime()));
        if (!bucket.tryTake(System.nanoTime())) {
            ctx.header("Retry-After", "1");
            refuse(ctx, Problem.of("rate-limited", "Too Many Requests", 429, "more than " + ratePerSecond + " requests per second"));
            return;
        }
        ctx.attribute(ADMIN, a);
    }

    static boolean constantTimeEquals(String expected, String presented) {
        return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    private static void refuse(Context ctx, Problem problem) {
        problem.send(ctx);
        ctx.skipRemainingHandlers();
    }
}
