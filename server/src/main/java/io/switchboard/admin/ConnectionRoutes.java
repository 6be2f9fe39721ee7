package io.switchboard.admin;

import io.javalin.http.Context;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.metrics.Metrics;
import io.switchboard.net.Addresses;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import io.switchboard.directory.ConnectionCursor;
import io.switchboard.directory.ConnectionDirectory;
import io.switchboard.directory.ConnectionQuery;
import io.switchboard.directory.ConnectionSort;
import io.switchboard.directory.ConnectionView;
import java.util.Map;

/** Live connections: search, sort and page them, inspect one, kick one, kick all of a user. */
public final class ConnectionRoutes {
    private static final int MAX_REASON = 500;

    private final Hub hub;
    private final ConnectionDirectory directory;
    /** Finds and kicks connections on every node. */
    private final io.switchboard.control.ControlBus control;
    private final String nodeId;
    private final int pageMax;
    private final FrameCodec codec;
    private final AuditLog audit;
    private final Metrics metrics;

    /**
     * @param directory answers {@code GET /api/v1/connections} (this node's, or the cluster's)
     * @param nodeId    this node's id, shown as {@code node} of a connection inspected here
     * @param pageMax   the largest {@code limit} a list request may ask for
     */
    public ConnectionRoutes(Hub hub, ConnectionDirectory directory, io.switchboard.control.ControlBus control, String nodeId,
                            int pageMax, FrameCodec codec, AuditLog audit, Metrics metrics) {
        this.hub = hub;
        this.control = control;
        this.directory = directory;
        this.nodeId = nodeId;
        this.pageMax = pageMax;
        this.codec = codec;
        this.audit = audit;
        this.metrics = metrics;
    }

    public void register(Api api) {
        api.get("/api/v1/connections", ctx -> {
            ConnectionQuery query = query(ctx, pageMax);
            api.async(ctx, () -> directory.query(query));
        });
        api.get("/api/v1/connections/{id}", ctx -> {
            String id = ctx.pathParam("id");
            api.async(ctx, () -> find(id));
        });
        api.delete("/api/v1/connections/{id}", ctx -> kick(api, ctx));
        api.post("/api/v1/users/{user}/kick", ctx -> kickUser(api, ctx));
    }

    /**
     * The query of a list request: {@code q}, {@code user}, {@code room}, {@code node}, {@code sort}, {@code order},
     * {@code limit} (1 to {@code pageMax}, default 50) and {@code cursor}.
     *
     * @throws ApiException 400 for an unknown sort or order, a bad limit or a cursor this API did not return (or
     *                      returned for another order); 422 for a user id no token could carry
     */
    static ConnectionQuery query(Context ctx, int pageMax) {
        String user = ctx.queryParam("user"); // present but blank is no user id at all: 422, as everywhere
        if (user != null) Api.userId("query parameter 'user'", user);
        String sortParam = blankToNull(ctx.queryParam("sort"));
        ConnectionSort sort = sortParam == null ? ConnectionSort.CONNECTED_AT : ConnectionSort.fromParam(sortParam);
        if (sort == null) throw ApiException.badRequest("sort must be one of " + ConnectionSort.names());
        String order = blankToNull(ctx.queryParam("order"));
        if (order != null && !order.equals("asc") && !order.equals("desc")) throw ApiException.badRequest("order must be asc or desc");
        int limit = Api.limit(ctx, pageMax);
        String rawCursor = blankToNull(ctx.queryParam("cursor"));
        try {
            ConnectionCursor cursor = rawCursor == null ? null : ConnectionCursor.decode(rawCursor);
            return new ConnectionQuery(blankToNull(ctx.queryParam("q")), user, blankToNull(ctx.queryParam("room")),
                    blankToNull(ctx.queryParam("node")), sort, "desc".equals(order), limit, cursor);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The connection on whichever node has it (this one without asking the others); blocking. */
    private Object find(String id) throws Exception {
        Connection c = hub.connection(id);
        if (c != null) return ConnectionView.of(c, nodeId);
        for (var a : ask(new io.switchboard.control.ControlCommand.FindConnection(id)).answers()) {
            if (a.value() != null && a.value().isObject()) return a.value();
        }
        throw ApiException.notFound("no live connection " + id);
    }

    private io.switchboard.control.ControlBus.Answers ask(io.switchboard.control.ControlCommand command) throws Exception {
        return control.ask(command).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void kick(Api api, Context ctx) {
        String id = ctx.pathParam("id");
        String reason = Api.queryText(ctx, "reason", MAX_REASON);
        String address = Addresses.of(ctx);
        var admin = Api.admin(ctx);
        api.async(ctx, () -> {
            Connection here = hub.connection(id);
            String user = here != null ? here.user() : null;
            String kickedOn = null;
            for (var a : ask(new io.switchboard.control.ControlCommand.KickConnection(id, reason)).answers()) {
                if (a.value() != null && a.value().asBoolean(false)) kickedOn = a.node();
            }
            if (kickedOn == null) throw ApiException.notFound("no live connection " + id);
            audit.record(admin.name(), "kick", "connection " + id + (user != null ? " (user " + user + ")" : "")
                    + " on node " + kickedOn, reason, address, null);
            return Map.of("kicked", 1);
        });
    }

    private void kickUser(Api api, Context ctx) {
        String user = Api.userId("path parameter 'user'", ctx.pathParam("user"));
        com.fasterxml.jackson.databind.JsonNode body = api.optionalBody(ctx);
        String reason = body == null ? null : reason(Api.text(body, "reason", false, MAX_REASON));
        String address = Addresses.of(ctx);
        var admin = Api.admin(ctx);
        api.async(ctx, () -> {
            var answers = ask(new io.switchboard.control.ControlCommand.KickUser(user, reason));
            int kicked = Api.sum(answers);
            audit.record(admin.name(), "kick_user", "user " + user, reason, address, "connections: " + kicked);
            return Api.counted("kicked", kicked, answers);
        });
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) return null;
        if (reason.length() > MAX_REASON) throw ApiException.invalid("reason must be at most " + MAX_REASON + " characters");
        return reason;
    }
}
