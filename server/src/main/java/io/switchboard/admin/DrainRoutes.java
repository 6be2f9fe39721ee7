package io.switchboard.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.switchboard.config.Durations;
import io.switchboard.drain.Drain;
import io.switchboard.net.Addresses;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/drain}: a planned drain of the node answering the call (operator role, audited). The process
 * keeps running, not ready and without chat connections, until it is restarted.
 */
public final class DrainRoutes {
    /** The longest window an operator may ask for, as for {@code drain.window}. */
    static final Duration MAX_WINDOW = Duration.ofMinutes(30);

    private final Drain drain;
    private final AuditLog audit;
    private final String node;

    public DrainRoutes(Drain drain, AuditLog audit, String node) {
        this.drain = drain;
        this.audit = audit;
        this.node = node;
    }

    public void register(Api api) {
        api.post("/api/v1/drain", ctx -> start(api, ctx));
    }

    /**
     * Body (optional): {@code {"window": "30s"}} spreads the closes over another window than {@code drain.window}
     * (0 to 30m). 202 with the drain's status; 409 when this node already drains.
     */
    private void start(Api api, Context ctx) {
        JsonNode body = api.optionalBody(ctx);
        Duration window = drain.window();
        if (body != null) {
            var unknown = new java.util.ArrayList<String>();
            body.fieldNames().forEachRemaining(f -> {
                if (!f.equals("window")) unknown.add(f);
            });
            if (!unknown.isEmpty()) throw ApiException.invalid("unknown field(s) " + unknown + "; the only field is 'window'");
            String text = Api.text(body, "window", false, 32);
            if (text != null) window = window(text);
        }
        if (drain.draining()) throw ApiException.conflict("this node is already draining");
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        Duration chosen = window;
        api.async(ctx, 202, () -> {
            if (!drain.start("admin " + admin.name(), chosen)) throw ApiException.conflict("this node is already draining");
            Drain.Status s = drain.status();
            audit.record(admin.name(), "drain", "node " + node, null, address, "delay " + Durations.format(drain.delay())
                    + ", window " + Durations.format(chosen));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("node", node);
            out.putAll(s.toMap());
            return out;
        });
    }

    private static Duration window(String text) {
        try {
            Duration d = text.equals("0") ? Duration.ZERO : Durations.parse(text);
            if (d.isNegative() || d.compareTo(MAX_WINDOW) > 0) throw new IllegalArgumentException("out of range");
            return d;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ApiException.invalid("window must be a duration like 500ms, 10s or 2m, from 0 to 30m");
        }
    }
}
