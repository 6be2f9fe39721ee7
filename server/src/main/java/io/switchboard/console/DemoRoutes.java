package io.switchboard.console;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.switchboard.admin.Problem;
import io.switchboard.auth.ClientTokens;
import io.switchboard.chat.TokenBucket;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Development only, off unless {@code demo=true}: {@code GET /demo/token?user=NAME} returns a one-hour client token
 * for anyone who asks, so that the demo chat page works without an admin. Never enable it in production.
 */
public final class DemoRoutes {
    private static final Pattern USER = Pattern.compile("[\\p{L}\\p{N}_.-]{1,32}");
    private static final Duration TTL = Duration.ofHours(1);

    private final ClientTokens tokens;
    private final TokenBucket rate = new TokenBucket(20, 40, System.nanoTime());

    public DemoRoutes(ClientTokens tokens) {
        this.tokens = tokens;
    }

    public void register(JavalinConfig cfg) {
        cfg.routes.get("/demo/token", this::token);
    }

    private void token(Context ctx) {
        String user = ctx.queryParam("user");
        if (user == null || !USER.matcher(user).matches()) {
            Problem.of("invalid", "Unprocessable Content", 422, "user must be 1 to 32 letters, digits, _ . or -").send(ctx);
            return;
        }
        String reserved = ClientTokens.claimsProblem(user, user, null);
        if (reserved != null) {
            Problem.of("invalid", "Unprocessable Content", 422, reserved).send(ctx);
            return;
        }
        if (!rate.tryTake(System.nanoTime())) {
            Problem.of("rate-limited", "Too Many Requests", 429, "slow down").send(ctx);
            return;
        }
        ctx.header("Cache-Control", "no-store");
        ctx.json(Map.of("token", tokens.issue(user, TTL, user, null), "user", user, "ttlSeconds", TTL.toSeconds()));
    }
}
