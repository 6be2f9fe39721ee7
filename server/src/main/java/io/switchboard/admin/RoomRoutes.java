package io.switchboard.admin;

import io.javalin.http.Context;
import io.switchboard.chat.ChatService;
import io.switchboard.chat.ChatStore;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Room;
import io.switchboard.chat.Command;
import io.switchboard.chat.Sequencer;
import io.switchboard.net.Addresses;
import io.switchboard.protocol.ServerFrame;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Rooms: list, create, inspect members and history, moderate, close and reopen. */
public final class RoomRoutes {
    /** A room with its stored and live counts. */
    public record RoomView(String name, long members, int online, int connections, long lastSeq, long lastActivity,
                           long createdAt, boolean closed) {}

    /** A member and whether any of their connections is in the room now. */
    public record MemberView(String user, long joinedAt, boolean online, int connections) {}

    private final Hub hub;
    private final ChatStore store;
    private final Sequencer sequencer;
    private final AuditLog audit;
    private final LiveFeed live;
    private final int historyPageMax;

    /** {@code live} hears of rooms created, closed and reopened here, for open consoles. */
    /**
     * Who is online in a room over every node, when this node is part of a cluster (null for a single node, whose
     * hub knows). Connection counts are always this node's.
     */
    private final io.switchboard.presence.Presence clusterPresence;
    /** Asks the other nodes how many connections each room has there (a cluster only). */
    private final io.switchboard.control.ControlBus control;

    public RoomRoutes(Hub hub, ChatStore store, Sequencer sequencer, AuditLog audit, LiveFeed live, int historyPageMax,
                      io.switchboard.presence.Presence clusterPresence, io.switchboard.control.ControlBus control) {
        this.clusterPresence = clusterPresence;
        this.control = control;
        this.hub = hub;
        this.store = store;
        this.sequencer = sequencer;
        this.audit = audit;
        this.live = live;
        this.historyPageMax = historyPageMax;
    }

    public void register(Api api) {
        api.get("/api/v1/rooms", ctx -> list(api, ctx));
        api.post("/api/v1/rooms", ctx -> create(api, ctx));
        api.get("/api/v1/rooms/{room}", ctx -> show(api, ctx));
        api.get("/api/v1/rooms/{room}/messages", ctx -> messages(api, ctx));
        api.delete("/api/v1/rooms/{room}/messages/{seq}", ctx -> deleteMessage(api, ctx));
        api.post("/api/v1/rooms/{room}/close", ctx -> setClosed(api, ctx, true));
        api.post("/api/v1/rooms/{room}/open", ctx -> setClosed(api, ctx, false));
    }

    private RoomView view(ChatStore.RoomSummary r) {
        return view(r, null);
    }

    /** {@code online}: users online over every node (cluster), null to count this node's. */
    private RoomView view(ChatStore.RoomSummary r, java.util.Set<String> online) {
        return view(r, online, 0);
    }

    /** {@code elsewhere}: the room's connections on the other nodes. */
    private RoomView view(ChatStore.RoomSummary r, java.util.Set<String> online, int elsewhere) {
        Room live = hub.room(r.name());
        return new RoomView(r.name(), r.members(), online != null ? online.size() : live == null ? 0 : live.onlineUsers().size(),
                (live == null ? 0 : live.connectionCount()) + elsewhere, live == null ? r.lastSeq() : Math.max(live.lastSeq(), r.lastSeq()),
                live == null ? r.lastActivity() : Math.max(live.lastActivity(), r.lastActivity()), r.createdAt(), r.closed());
    }

    private void list(Api api, Context ctx) {
        int limit = Api.limit(ctx);
        String after = Api.cursorKey(ctx);
        api.async(ctx, () -> {
            List<ChatStore.RoomSummary> rows = store.listRooms(after, limit + 1);
            List<String> names = rows.stream().map(ChatStore.RoomSummary::name).toList();
            Map<String, java.util.Set<String>> online = onlineEverywhere(names);
            Map<String, Integer> elsewhere = connectionsElsewhere(names);
            return Page.of(rows, limit, ChatStore.RoomSummary::name)
                    .map(r -> view(r, online.get(r.name()), elsewhere.getOrDefault(r.name(), 0)));
        });
    }

    private static String roomName(String name) {
        if (!ChatService.isValidRoomName(name)) {
            throw ApiException.invalid("room names are 1 to 64 letters, digits or _.:@#- and start with a letter or digit");
        }
        return name;
    }

    private void create(Api api, Context ctx) {
        String room = roomName(Api.text(api.body(ctx), "room", true, 64));
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        CompletableFuture<Boolean> created = new CompletableFuture<>();
        api.async(ctx, 201, () -> {
            sequencer.submitInternal(new Command.CreateRoom(room, created));
            if (!created.get(30, TimeUnit.SECONDS)) throw ApiException.conflict("room " + room + " already exists");
            RoomView made = view(store.room(room));
            live.roomCreated(made);
            audit.record(admin.name(), "create_room", "room " + room, null, address, null);
            return made;
        });
    }

    private void show(Api api, Context ctx) {
        String room = ctx.pathParam("room");
        int limit = Api.limit(ctx);
        String after = Api.cursorKey(ctx);
        api.async(ctx, () -> {
            ChatStore.RoomSummary r = store.room(room);
            if (r == null) throw ApiException.notFound("no room " + room);
            Room live = hub.room(room);
            java.util.Set<String> online = onlineEverywhere(List.of(room)).get(room);
            Page<MemberView> members = Page.of(store.members(room, after, limit + 1), limit, ChatStore.Member::user).map(m -> {
                int conns = live == null ? 0 : live.connectionCount(m.user());
                return new MemberView(m.user(), m.joinedAt(), online != null ? online.contains(m.user()) : conns > 0, conns);
            });
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("room", view(r, online, connectionsElsewhere(List.of(room)).getOrDefault(room, 0)));
            out.put("members", members.items());
            out.put("nextCursor", members.nextCursor());
            return out;
        });
    }

    private void messages(Api api, Context ctx) {
        String room = ctx.pathParam("room");
        Long before = Api.longParam(ctx, "before");
        int limit = Math.min(Api.limit(ctx), historyPageMax);
        api.async(ctx, () -> {
            if (store.room(room) == null) throw ApiException.notFound("no room " + room);
            List<ServerFrame.Message> rows = store.messagesBefore(room, before == null ? Long.MAX_VALUE : before, limit + 1);
            boolean more = rows.size() > limit;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("messages", more ? rows.subList(1, rows.size()) : rows);
            out.put("hasMore", more);
            return out;
        });
    }

    private void deleteMessage(Api api, Context ctx) {
        String room = ctx.pathParam("room");
        long seq;
        try {
            seq = Long.parseLong(ctx.pathParam("seq"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("seq must be a whole number");
        }
        String reason = Api.queryText(ctx, "reason", 500);
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        CompletableFuture<Boolean> deleted = new CompletableFuture<>();
        api.async(ctx, () -> {
            sequencer.submitInternal(new Command.DeleteMessage(room, seq, deleted));
            if (!deleted.get(30, TimeUnit.SECONDS)) throw ApiException.notFound("no message " + seq + " in room " + room);
            audit.record(admin.name(), "delete_message", "room " + room + " seq " + seq, reason, address, null);
            return null;
        });
    }

    private void setClosed(Api api, Context ctx, boolean closed) {
        String room = ctx.pathParam("room");
        String reason = Api.queryText(ctx, "reason", 500);
        var admin = Api.admin(ctx);
        String address = Addresses.of(ctx);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        api.async(ctx, () -> {
            // Connections on other nodes leave when they hear of the close; count those in the room just before.
            int elsewhere = closed ? connectionsElsewhere(List.of(room)).getOrDefault(room, 0) : 0;
            sequencer.submitInternal(new Command.SetRoomClosed(room, closed, done));
            int removed = done.get(30, TimeUnit.SECONDS);
            if (removed >= 0) removed += elsewhere;
            if (removed < 0) throw ApiException.notFound("no room " + room);
            ChatStore.RoomSummary after = store.room(room);
            if (after != null) live.roomClosed(view(after), closed);
            audit.record(admin.name(), closed ? "close_room" : "open_room", "room " + room, reason, address,
                    closed ? "connections removed: " + removed : null);
            return closed ? Map.of("removed", removed) : Map.of("removed", 0);
        });
    }

    /** Connections in each room on the other nodes (nothing for a single node). */
    private Map<String, Integer> connectionsElsewhere(List<String> rooms) throws Exception {
        if (clusterPresence == null) return Map.of();
        return Api.elsewhere(control.ask(new io.switchboard.control.ControlCommand.RoomConnections(rooms))
                .toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    /**
     * Cluster: the users online in each room over every node, asked of the presence seam for all rooms at once (one
     * pipelined Redis call per room, never per connection); rooms it could not answer for in two seconds are left out
     * and counted from this node. Empty for a single node.
     */
    private Map<String, java.util.Set<String>> onlineEverywhere(List<String> rooms) {
        Map<String, java.util.Set<String>> out = new java.util.HashMap<>();
        if (clusterPresence == null) return out;
        Map<String, CompletableFuture<java.util.Set<String>>> asked = new LinkedHashMap<>();
        for (String room : rooms) asked.put(room, clusterPresence.online(room).toCompletableFuture());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        asked.forEach((room, f) -> {
            try {
                out.put(room, f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                // left out: counted from this node
            }
        });
        return out;
    }
}
