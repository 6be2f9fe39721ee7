package io.switchboard.console;

import io.javalin.http.Context;

/** Headers on every response: a strict Content-Security-Policy (no inline script or style), no framing, no sniffing. */
public final class SecurityHeaders {
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private SecurityHeaders() {}

    public static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        boolean stream = ctx.path().equals("/api/v1/events"); // the event stream sets its own no-cache
        if (!stream && (ctx.path().startsWith("/api/") || ctx.path().startsWith("/console/session"))) {
            ctx.header("Cache-Control", "no-store");
        }
    }
}
