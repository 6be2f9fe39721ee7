package io.switchboard.admin;

import io.javalin.http.Context;
import io.switchboard.auth.AdminAuth;

/** Requires a valid admin bearer token on every {@code /api/} request; the admin is put on the request. */
public final class AdminGuard {
    public static final String ADMIN = "switchboard.admin";

    private final AdminAuth auth;

    public AdminGuard(AdminAuth auth) {
        this.auth = auth;
    }

    public void check(Context ctx) {
        var admin = auth.authenticate(ctx.header("Authorization"));
        if (admin.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"switchboard\"");
            Problem.of("unauthorized", "Unauthorized", 401, "a valid admin bearer token is required").send(ctx);
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute(ADMIN, admin.get());
    }
}
