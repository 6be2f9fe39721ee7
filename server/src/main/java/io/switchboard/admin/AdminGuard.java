package io.switchboard.admin;

import io.javalin.http.Context;
import io.switchboard.auth.AdminAuth;
import io.switchboard.chat.TokenBucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guards {@code /api/}: a valid admin bearer token (401), the operator role for anything but reads (403), and a
 * request rate per admin token (429). Never tells which tokens exist.
 */
public final class AdminGuard {
    public static final String ADMIN = "switchboard.admin";

    private final AdminAuth auth;
    private final int ratePerSecond;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public AdminGuard(AdminAuth auth, int ratePerSecond) {
        this.auth = auth;
        this.ratePerSecond = ratePerSecond;
    }

    public void check(Context ctx) {
        var admin = auth.authenticate(ctx.header("Authorization"));
        if (admin.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"switchboard\"");
            refuse(ctx, Problem.of("unauthorized", "Unauthorized", 401, "a valid admin bearer token is required"));
            return;
        }
        AdminAuth.Admin a = admin.get();
        boolean read = ctx.method().name().equals("GET") || ctx.method().name().equals("HEAD");
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

    private static void refuse(Context ctx, Problem problem) {
        problem.send(ctx);
        ctx.skipRemainingHandlers();
    }
}
