package io.switchboard.admin;

import io.javalin.http.Context;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.metrics.Metrics;
import io.switchboard.net.Addresses;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Live connections: list, inspect, kick one, kick all of a user. */
public final class ConnectionRoutes {
    /** A connection as the admin API shows it. */
    public record ConnectionView(String id, String user, String name, String remoteAddress, String userAgent,
                                 long connectedAt, List<String> rooms, long messagesIn, long messagesOut, int queued,
                                 long lastActivity) {
        public static ConnectionView of(Connection c) {
            return new ConnectionView(c.id(), c.user(), c.principal().name(), c.remoteAddress(), c.userAgent(),
                    c.connectedAt(), List.copyOf(new TreeSet<>(c.rooms())), c.framesIn(), c.framesOut(), c.queued(),
                    c.lastActivity());
        }
    }

    private static final Comparator<Connection> ORDER = Comparator.comparing(ConnectionRoutes::key);
    private static final int MAX_REASON = 500;

    private final Hub hub;
    private final FrameCodec codec;
    private final AuditLog audit;
    private final Metrics metrics;

    public ConnectionRoutes(Hub hub, FrameCodec codec, AuditLog audit, Metrics metrics) {
        this.hub = hub;
        this.codec = codec;
        this.audit = audit;
        this.metrics = metrics;
    }

    public void register(Api api) {
        api.get("/api/v1/connections", this::list);
        api.get("/api/v1/connections/{id}", ctx -> ctx.json(ConnectionView.of(find(ctx.pathParam("id")))));
        api.delete("/api/v1/connections/{id}", ctx -> kick(api, ctx));
        api.post("/api/v1/users/{user}/kick", ctx -> kickUser(api, ctx));
    }

    private void list(Context ctx) {
        int limit = Api.limit(ctx);
        String room = ctx.queryParam("room");
        String user = ctx.queryParam("user");
        if (user != null) Api.userId("query parameter 'user'", user);
        String after = Api.cursorKey(ctx);
        List<Connection> matching = hub.connections().stream()
                .filter(c -> user == null || c.user().equals(user))
                .filter(c -> room == null || c.rooms().contains(room))
                .filter(c -> after == null || key(c).compareTo(after) > 0)
                .sorted(ORDER)
                .limit(limit + 1L)
                .toList();
        ctx.json(Page.of(matching, limit, ConnectionRoutes::key).map(ConnectionView::of));
    }

    /** Sort key: connected-at, zero-padded so that keys compare like the order, then the id. */
    private static String key(Connection c) {
        return String.format("%019d:%s", c.connectedAt(), c.id());
    }

    private Connection find(String id) {
        Connection c = hub.connection(id);
        if (c == null) throw ApiException.notFound("no live connection " + id);
        return c;
    }

    private void kick(Api api, Context ctx) {
        Connection c = find(ctx.pathParam("id"));
        String reason = reason(ctx.queryParam("reason"));
        String address = Addresses.of(ctx);
        var admin = Api.admin(ctx);
        api.async(ctx, () -> {
            boolean kicked = c.kick(codec.encode(new ServerFrame.Kicked(reason)), CloseCodes.KICKED, "kicked");
            if (kicked) metrics.kicks.mark();
            audit.record(admin.name(), "kick", "connection " + c.id() + " (user " + c.user() + ")", reason, address, null);
            return Map.of("kicked", kicked ? 1 : 0);
        });
    }

    private void kickUser(Api api, Context ctx) {
        String user = Api.userId("path parameter 'user'", ctx.pathParam("user"));
        com.fasterxml.jackson.databind.JsonNode body = api.optionalBody(ctx);
        String reason = body == null ? null : reason(Api.text(body, "reason", false, MAX_REASON));
        String address = Addresses.of(ctx);
        var admin = Api.admin(ctx);
        api.async(ctx, () -> {
            int kicked = kickAll(user, reason, CloseCodes.KICKED, "kicked");
            audit.record(admin.name(), "kick_user", "user " + user, reason, address, "connections: " + kicked);
            return Map.of("kicked", kicked);
        });
    }

    /** Kicks every connection of the user with a notice; returns how many were open. */
    int kickAll(String user, String reason, int code, String closeReason) {
        String notice = codec.encode(new ServerFrame.Kicked(reason));
        int n = 0;
        for (Connection c : hub.connectionsOf(user)) {
            if (c.kick(notice, code, closeReason)) n++;
        }
        metrics.kicks.mark(n);
        return n;
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) return null;
        if (reason.length() > MAX_REASON) throw ApiException.invalid("reason must be at most " + MAX_REASON + " characters");
        return reason;
    }
}
