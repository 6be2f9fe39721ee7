package io.switchboard.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.switchboard.auth.ClientTokens;
import io.switchboard.chat.Bans;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Command;
import io.switchboard.chat.Sequencer;
import io.switchboard.config.Durations;
import io.switchboard.metrics.Metrics;
import io.switchboard.net.Addresses;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Bans, broadcasts and client tokens. */
public final class ModerationRoutes {
    private static final int MAX_REASON = 500;
    private static final Duration MAX_TOKEN_TTL = Duration.ofDays(365);
    private static final Duration MAX_BAN = Duration.ofDays(3650);

    private final Hub hub;
    private final Bans bans;
    private final Sequencer sequencer;
    private final FrameCodec codec;
    private final ClientTokens tokens;
    private final AuditLog audit;
    private final Metrics metrics;
    private final io.switchboard.control.ControlBus control;
    private final LiveFeed live;
    private final int maxTextChars;

    /** @param control runs kicks, bans and notices on every node (a single node: on this one) */
    public ModerationRoutes(Hub hub, Bans bans, Sequencer sequencer, FrameCodec codec, ClientTokens tokens, AuditLog audit,
                            Metrics metrics, io.switchboard.control.ControlBus control, LiveFeed live, int maxTextChars) {
        this.hub = hub;
        this.bans = bans;
        this.sequencer = sequencer;
        this.codec = codec;
        this.tokens = tokens;
        this.audit = audit;
        this.metrics = metrics;
        this.control = control;
        this.live = live;
        this.maxTextChars = maxTextChars;
    }

    public void register(Api api) {
        api.get("/api/v1/bans", this::listBans);
        api.post("/api/v1/bans", ctx -> ban(api, ctx));
        api.delete("/api/v1/bans/{user}", ctx -> unban(api, ctx));
        api.post("/api/v1/broadcast", ctx -> broadcast(api, ctx));
        api.post("/api/v1/tokens", ctx -> mint(api, ctx));
    }

    private void listBans(Context ctx) {
        int limit = Api.limit(ctx);
        String after = Api.cursorKey(ctx);
        List<Bans.Ban> all = bans.list(System.currentTimeMillis()).stream()
                .sorted(java.util.Comparator.comparing(Bans.Ban::user))
                .filter(b -> after == null || b.user().compareTo(after) > 0)
                .limit(limit + 1L).toList();
        ctx.json(Page.of(all, limit, Bans.Ban::user));
    }

    private void ban(Api api, Context ctx) {
        JsonNode body = api.body(ctx);
        String user = Api.userId("field 'user'", Api.text(body, "user", true, ClientTokens.MAX_USER_CHARS));
        String reason = Api.text(body, "reason", false, MAX_REASON);
        String duration = Api.text(body, "duration", false, 32);
        long now = System.currentTimeMillis();
        Long expiresAt = null;
        if (duration != null) {
            try {
                Duration d = Durations.parse(duration);
                if (d.isZero() || d.compareTo(MAX_BAN) > 0) throw new IllegalArgumentException("out of range");
                expiresAt = now + d.toMillis();
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw ApiException.invalid("duration must be like 30m, 12h or 7d, at most 3650d; leave it out for a permanent ban");
            }
        }
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        Bans.Ban ban = new Bans.Ban(user, reason, now, expiresAt, admin.name());
        api.async(ctx, 201, () -> {
            bans.add(ban); // stored before anyone is kicked, so a reconnect is already refused
            live.banAdded(ban);
            var answers = control.ask(new io.switchboard.control.ControlCommand.BanApplied(ban.user(), ban.reason(),
                    ban.createdAt(), ban.expiresAt(), ban.createdBy())).toCompletableFuture().get(30, TimeUnit.SECONDS);
            int kicked = Api.sum(answers);
            metrics.bans.mark();
            audit.record(admin.name(), "ban", "user " + user, reason, address,
                    (duration == null ? "permanent" : "for " + duration) + ", connections kicked: " + kicked);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ban", ban);
            out.put("kicked", kicked);
            return out;
        });
    }

    private void unban(Api api, Context ctx) {
        String user = Api.userId("path parameter 'user'", ctx.pathParam("user"));
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        api.async(ctx, () -> {
            if (!bans.lift(user)) throw ApiException.notFound("user " + user + " is not banned");
            control.ask(new io.switchboard.control.ControlCommand.BanLifted(user)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            live.banLifted(user);
            audit.record(admin.name(), "unban", "user " + user, null, address, null);
            return null;
        });
    }

    private void broadcast(Api api, Context ctx) {
        JsonNode body = api.body(ctx);
        String text = Api.text(body, "text", true, maxTextChars);
        String room = Api.text(body, "room", false, 64);
        String user = Api.text(body, "user", false, ClientTokens.MAX_USER_CHARS);
        if (user != null) Api.userId("field 'user'", user);
        if (room != null && user != null) throw ApiException.invalid("give room or user, not both");
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        api.async(ctx, () -> {
            int reached;
            if (room != null) {
                CompletableFuture<Integer> stored = new CompletableFuture<>();
                sequencer.submitInternal(new Command.BroadcastRoom(room, text, stored));
                reached = stored.get(30, TimeUnit.SECONDS);
                if (reached < 0) throw ApiException.notFound("no room " + room);
                // Members on other nodes get it through the broker; count those that are in the room now.
                reached += Api.elsewhere(control.ask(new io.switchboard.control.ControlCommand.RoomConnections(List.of(room)))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS)).getOrDefault(room, 0);
            } else {
                reached = Api.sum(control.ask(new io.switchboard.control.ControlCommand.Notify(user, text, System.currentTimeMillis()))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
            }
            metrics.broadcasts.mark();
            audit.record(admin.name(), "broadcast", room != null ? "room " + room : user != null ? "user " + user : "everyone",
                    null, address, text);
            return Map.of("reached", reached);
        });
    }

    private void mint(Api api, Context ctx) {
        JsonNode body = api.body(ctx);
        String user = Api.userId("field 'user'", Api.text(body, "user", true, ClientTokens.MAX_USER_CHARS));
        String name = Api.text(body, "name", false, ClientTokens.MAX_NAME_CHARS);
        List<String> rooms = Api.textList(body, "rooms");
        // The rules the WebSocket upgrade applies: never mint a token that would be refused there.
        String claimsProblem = ClientTokens.claimsProblem(user, name, rooms);
        if (claimsProblem != null) throw ApiException.invalid(claimsProblem);
        String ttlText = Api.text(body, "ttl", false, 32);
        Duration ttl;
        try {
            ttl = ttlText == null ? Duration.ofHours(1) : Durations.parse(ttlText);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("ttl must be like 30m, 12h or 7d");
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TOKEN_TTL) > 0) {
            throw ApiException.invalid("ttl must be from 1s to 365d");
        }
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        api.async(ctx, 201, () -> {
            String token = tokens.issue(user, ttl, name, rooms);
            Instant expires = Instant.now().plus(ttl);
            audit.record(admin.name(), "mint_token", "user " + user, null, address, "ttl " + Durations.format(ttl)
                    + (rooms == null ? "" : ", rooms " + rooms)); // never the token itself
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("token", token);
            out.put("user", user);
            out.put("expiresAt", expires.toEpochMilli());
            return out;
        });
    }
}
