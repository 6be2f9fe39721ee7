package io.switchboard.console;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.switchboard.admin.Api;
import io.switchboard.admin.ApiException;
import io.switchboard.admin.AuditLog;
import io.switchboard.admin.Problem;
import io.switchboard.auth.AdminAuth;
import io.switchboard.auth.ConsoleSessions;
import io.switchboard.chat.TokenBucket;
import io.switchboard.net.Addresses;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sign-in: {@code POST /console/session} exchanges an admin token for a session cookie (HttpOnly,
 * SameSite=Strict) and a CSRF token; {@code GET} tells the page who is signed in and what they may do;
 * {@code DELETE} signs out. Everything else the console does goes through the admin API.
 */
public final class ConsoleRoutes {
    private static final double SIGN_INS_PER_MINUTE = 10;

    private final AdminAuth auth;
    private final ConsoleSessions sessions;
    private final AuditLog audit;
    private final Map<String, TokenBucket> attempts = new ConcurrentHashMap<>();

    public ConsoleRoutes(AdminAuth auth, ConsoleSessions sessions, AuditLog audit) {
        this.auth = auth;
        this.sessions = sessions;
        this.audit = audit;
    }

    public void register(JavalinConfig cfg, Api api) {
        cfg.routes.get("/", ctx -> ctx.redirect("/console/"));
        // Browsers ask for /favicon.ico on every site whatever the page links; the pages link the SVG.
        serveIcon(cfg, "/favicon.ico", "image/x-icon");
        serveIcon(cfg, "/favicon.svg", "image/svg+xml");
        cfg.routes.post("/console/session", ctx -> signIn(api, ctx));
        cfg.routes.get("/console/session", this::whoAmI);
        cfg.routes.delete("/console/session", ctx -> signOut(api, ctx));
    }

    private static void serveIcon(JavalinConfig cfg, String path, String contentType) {
        byte[] bytes;
        try (java.io.InputStream in = ConsoleRoutes.class.getResourceAsStream("/favicon" + path)) {
            if (in == null) throw new IllegalStateException("favicon" + path + " is missing from the classpath");
            bytes = in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        cfg.routes.get(path, ctx -> ctx.contentType(contentType).header("Cache-Control", "public, max-age=86400").result(bytes));
    }

    private void signIn(Api api, Context ctx) {
        String ip = Addresses.of(ctx);
        TokenBucket bucket = attempts.computeIfAbsent(ip, a -> new TokenBucket(SIGN_INS_PER_MINUTE / 60, SIGN_INS_PER_MINUTE, System.nanoTime()));
        if (!bucket.tryTake(System.nanoTime())) {
            ctx.header("Retry-After", "30");
            Problem.of("rate-limited", "Too Many Requests", 429, "too many sign-in attempts; wait a minute").send(ctx);
            return;
        }
        if (attempts.size() > 10_000) attempts.clear(); // bounded memory under a spray of addresses
        String token;
        try {
            token = Api.text(api.body(ctx), "token", true, 1024);
        } catch (ApiException e) {
            e.problem().send(ctx);
            return;
        }
        Optional<AdminAuth.Admin> admin = auth.authenticateToken(token.trim());
        if (admin.isEmpty()) {
            Problem.of("unauthorized", "Unauthorized", 401, "that is not a valid admin token").send(ctx);
            return;
        }
        boolean secure = secure(ctx);
        api.async(ctx, () -> {
            ConsoleSessions.Created created = sessions.create(admin.get());
            ctx.header("Set-Cookie", ConsoleSessions.COOKIE + "=" + created.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                    + sessions.ttl().toSeconds() + (secure ? "; Secure" : ""));
            audit.record(admin.get().name(), "sign_in", "console", null, ip, null);
            return view(created.session());
        });
    }

    private void whoAmI(Context ctx) {
        Optional<ConsoleSessions.Session> s = sessions.find(ctx.cookie(ConsoleSessions.COOKIE));
        if (s.isEmpty()) {
            Problem.of("unauthorized", "Unauthorized", 401, "not signed in").send(ctx);
            return;
        }
        ctx.json(view(s.get()));
    }

    private void signOut(Api api, Context ctx) {
        Optional<ConsoleSessions.Session> s = sessions.find(ctx.cookie(ConsoleSessions.COOKIE));
        ctx.header("Set-Cookie", ConsoleSessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        if (s.isEmpty()) {
            ctx.status(204);
            return;
        }
        String csrf = ctx.header(ConsoleSessions.CSRF_HEADER);
        if (csrf == null || !java.security.MessageDigest.isEqual(csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                s.get().csrf().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            Problem.of("csrf", "Forbidden", 403, "missing or wrong " + ConsoleSessions.CSRF_HEADER + " header").send(ctx);
            return;
        }
        String ip = Addresses.of(ctx);
        api.async(ctx, () -> {
            sessions.end(s.get());
            audit.record(s.get().admin().name(), "sign_out", "console", null, ip, null);
            return null;
        });
    }

    /** What the page needs: who, which role (so it can hide operator actions), the CSRF token, the expiry. */
    private static Map<String, Object> view(ConsoleSessions.Session s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("admin", s.admin().name());
        out.put("role", s.admin().role().wire());
        out.put("canOperate", s.admin().role() == AdminAuth.Role.OPERATOR);
        out.put("csrf", s.csrf());
        out.put("expiresAt", s.expiresAt());
        return out;
    }

    private static boolean secure(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }
}
