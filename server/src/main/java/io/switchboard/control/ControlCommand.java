package io.switchboard.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An operator's command addressed to every node of the cluster (a single node is a cluster of one): each node runs it
 * on its own connections and answers. Sent as JSON between nodes, named by {@code kind}. Dispatch with
 * {@link Visitor}: the compiler checks that every kind is handled. Modelled on centrifuge's control commands
 * (disconnect, unsubscribe, survey) in our own terms.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ControlCommand.KickConnection.class, name = "kick_connection"),
        @JsonSubTypes.Type(value = ControlCommand.KickUser.class, name = "kick_user"),
        @JsonSubTypes.Type(value = ControlCommand.BanApplied.class, name = "ban"),
        @JsonSubTypes.Type(value = ControlCommand.BanLifted.class, name = "unban"),
        @JsonSubTypes.Type(value = ControlCommand.Notify.class, name = "notify"),
        @JsonSubTypes.Type(value = ControlCommand.FindConnection.class, name = "find_connection"),
        @JsonSubTypes.Type(value = ControlCommand.QueryConnections.class, name = "query_connections"),
        @JsonSubTypes.Type(value = ControlCommand.Drain.class, name = "drain"),
        @JsonSubTypes.Type(value = ControlCommand.RoomConnections.class, name = "room_connections"),
})
public sealed interface ControlCommand {
    <R> R accept(Visitor<R> visitor);

    /** One method per command; each returns the node's answer (JSON-serializable). */
    interface Visitor<R> {
        R kickConnection(KickConnection c);

        R kickUser(KickUser c);

        R banApplied(BanApplied c);

        R banLifted(BanLifted c);

        R notify(Notify c);

        R findConnection(FindConnection c);

        R queryConnections(QueryConnections c);

        R drain(Drain c);

        R roomConnections(RoomConnections c);
    }

    /** Disconnects one connection with a {@code kicked} notice; answers true on the node that had it. */
    record KickConnection(String connectionId, String reason) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.kickConnection(this); }
    }

    /** Disconnects every connection of a user; answers how many each node closed. */
    record KickUser(String user, String reason) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.kickUser(this); }
    }

    /** A ban was stored: every node refuses the user from now on and closes their connections (answers how many). */
    record BanApplied(String user, String reason, long createdAt, Long expiresAt, String createdBy) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.banApplied(this); }
    }

    /** A ban was lifted: every node admits the user again. */
    record BanLifted(String user) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.banLifted(this); }
    }

    /** A system notice to every connection, or to the user's ({@code user} not null); answers how many took it. */
    record Notify(String user, String text, long ts) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.notify(this); }
    }

    /** Looks up one connection; the node that has it answers its view, the others null. */
    record FindConnection(String connectionId) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.findConnection(this); }
    }

    /**
     * One page of each node's connections matching a query of {@code GET /api/v1/connections}: {@code sort} by its
     * parameter name, {@code cursor} encoded (null for the first page); each node answers a {@code ConnectionPage}.
     */
    record QueryConnections(String q, String user, String room, String node, String sort, boolean descending, int limit,
                            String cursor) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.queryConnections(this); }
    }

    /** How many of each node's connections are in each of the rooms; each node answers {@code {room: count}}. */
    record RoomConnections(java.util.List<String> rooms) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.roomConnections(this); }
    }

    /** Starts draining the named node (others ignore it); answers true from that node. */
    record Drain(String node) implements ControlCommand {
        public <R> R accept(Visitor<R> v) { return v.drain(this); }
    }
}
