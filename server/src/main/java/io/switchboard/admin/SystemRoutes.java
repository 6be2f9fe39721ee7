package io.switchboard.admin;

import com.codahale.metrics.json.MetricsModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.switchboard.config.Config;
import io.switchboard.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Metrics as JSON, the audit log, server info and the OpenAPI document. */
public final class SystemRoutes {
    private final Metrics metrics;
    private final AuditLog audit;
    private final Config config;
    private final Map<String, Object> identity;
    private final Instant startedAt = Instant.now();
    private final ObjectMapper metricsJson = new ObjectMapper()
            .registerModule(new MetricsModule(TimeUnit.SECONDS, TimeUnit.MILLISECONDS, false));
    private final byte[] openApi;

    private final java.util.function.Supplier<java.util.List<io.switchboard.control.NodeInfo>> nodes;
    private final java.util.function.Supplier<Map<String, Object>> state;

    /**
     * @param identity what this server is (name, version, node, database)
     * @param state    what it is doing now, added to every answer (e.g. {@code draining})
     * @param nodes    the cluster's nodes as last heard, this one first (a single node: itself)
     */
    public SystemRoutes(Metrics metrics, AuditLog audit, Config config, Map<String, Object> identity,
                        java.util.function.Supplier<Map<String, Object>> state,
                        java.util.function.Supplier<java.util.List<io.switchboard.control.NodeInfo>> nodes) {
        this.state = state;
        this.nodes = nodes;
        this.metrics = metrics;
        this.audit = audit;
        this.config = config;
        this.identity = identity;
        try (InputStream in = SystemRoutes.class.getResourceAsStream("/openapi.json")) {
            if (in == null) throw new IllegalStateException("openapi.json is missing from the classpath");
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(Api api) {
        api.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        api.get("/api/v1/info", this::info);
        api.get("/api/v1/metrics", ctx -> ctx.contentType("application/json").result(metricsJson.writeValueAsString(metrics.registry())));
        api.get("/api/v1/audit", ctx -> auditPage(api, ctx));
        api.get("/api/v1/nodes", this::nodes);
    }

    /** {"node": this node's id, "items": [NodeInfo…]}: the console marks this node's row by the id. */
    private void nodes(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", identity.get("nodeId"));
        out.put("items", nodes.get());
        ctx.json(out);
    }

    private void info(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>(identity);
        out.put("startedAt", startedAt.toEpochMilli());
        out.put("uptimeSeconds", Instant.now().getEpochSecond() - startedAt.getEpochSecond());
        Map<String, Object> now = state.get();
        out.put("draining", now.getOrDefault("draining", false));
        if (Boolean.TRUE.equals(now.get("draining"))) out.put("drain", now);
        out.put("config", config.summary());
        var all = nodes.get();
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("nodes", all.size());
        cluster.put("connections", all.stream().mapToInt(io.switchboard.control.NodeInfo::connections).sum());
        cluster.put("draining", all.stream().filter(io.switchboard.control.NodeInfo::draining).count());
        out.put("cluster", cluster);
        ctx.json(out);
    }

    private void auditPage(Api api, Context ctx) {
        int limit = Api.limit(ctx);
        String cursor = Api.cursorKey(ctx);
        Long before;
        try {
            before = cursor == null ? null : Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("cursor is not one this API returned");
        }
        api.async(ctx, () -> {
            return Page.of(audit.page(before, limit + 1), limit, e -> String.valueOf(e.id()));
        });
    }
}
