package io.switchboard.control;

import io.switchboard.chat.Bans;
import io.switchboard.chat.Connection;
import io.switchboard.chat.Hub;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import io.switchboard.directory.ConnectionCursor;
import io.switchboard.directory.ConnectionQuery;
import io.switchboard.directory.ConnectionSort;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs control commands on this node's connections and answers: what every node does when an operator acts on the
 * cluster. Never blocks: closes and notices are queued on the connections' outboxes.
 */
public final class NodeCommands implements ControlCommand.Visitor<Object> {
    private final String node;
    private final Hub hub;
    private final Bans bans;
    private final FrameCodec codec;
    private final Metrics metrics;
    private final Function<Connection, Object> view;
    private final Function<ConnectionQuery, Object> query;
    private final Supplier<Boolean> drain;

    /**
     * @param view  how a connection is shown (the admin API's view)
     * @param query one page of this node's connections for the admin API's query parameters
     * @param drain starts draining this node; true when it started
     */
    public NodeCommands(String node, Hub hub, Bans bans, FrameCodec codec, Metrics metrics,
                        Function<Connection, Object> view, Function<ConnectionQuery, Object> query,
                        Supplier<Boolean> drain) {
        this.node = node;
        this.hub = hub;
        this.bans = bans;
        this.codec = codec;
        this.metrics = metrics;
        this.view = view;
        this.query = query;
        this.drain = drain;
    }

    /** Runs a command here. */
    public Object run(ControlCommand c) {
        return c.accept(this);
    }

    @Override
    public Object kickConnection(ControlCommand.KickConnection c) {
        Connection conn = hub.connection(c.connectionId());
        if (conn == null) return false;
        boolean kicked = conn.kick(codec.encode(new ServerFrame.Kicked(c.reason())), CloseCodes.KICKED, "kicked");
        if (kicked) metrics.kicks.mark();
        return kicked;
    }

    @Override
    public Object kickUser(ControlCommand.KickUser c) {
        return closeAll(c.user(), c.reason(), CloseCodes.KICKED, "kicked");
    }

    private int closeAll(String user, String reason, int code, String closeReason) {
        String notice = codec.encode(new ServerFrame.Kicked(reason));
        int n = 0;
        for (Connection conn : hub.connectionsOf(user)) if (conn.kick(notice, code, closeReason)) n++;
        metrics.kicks.mark(n);
        return n;
    }

    @Override
    public Object banApplied(ControlCommand.BanApplied c) {
        bans.remember(new Bans.Ban(c.user(), c.reason(), c.createdAt(), c.expiresAt(), c.createdBy()));
        return closeAll(c.user(), c.reason(), CloseCodes.BANNED, "banned");
    }

    @Override
    public Object banLifted(ControlCommand.BanLifted c) {
        bans.forget(c.user());
        return true;
    }

    @Override
    public Object notify(ControlCommand.Notify c) {
        String notice = codec.encode(new ServerFrame.SystemNotice(c.text(), null, null, c.ts()));
        int reached = 0;
        for (Connection conn : c.user() != null ? hub.connectionsOf(c.user()) : List.copyOf(hub.connections())) {
            if (conn.deliver(notice)) reached++;
        }
        return reached;
    }

    @Override
    public Object findConnection(ControlCommand.FindConnection c) {
        Connection conn = hub.connection(c.connectionId());
        return conn == null ? null : view.apply(conn);
    }

    @Override
    public Object queryConnections(ControlCommand.QueryConnections c) {
        ConnectionSort sort = ConnectionSort.fromParam(c.sort());
        ConnectionCursor cursor = c.cursor() == null ? null : ConnectionCursor.decode(c.cursor());
        return query.apply(new ConnectionQuery(c.q(), c.user(), c.room(), c.node(), sort, c.descending(), c.limit(), cursor));
    }

    @Override
    public Object drain(ControlCommand.Drain c) {
        return node.equals(c.node()) ? drain.get() : null;
    }

    @Override
    public Object roomConnections(ControlCommand.RoomConnections c) {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (String name : c.rooms()) {
            var room = hub.room(name);
            out.put(name, room == null ? 0 : room.connectionCount());
        }
        return out;
    }
}
