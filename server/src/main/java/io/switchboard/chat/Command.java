package io.switchboard.chat;

import io.switchboard.broker.Publication;
import io.switchboard.protocol.ServerFrame;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Work for the {@link Sequencer}, in the order it must happen. Client commands ({@link #fromClient()}) count against
 * the queue's capacity and may be refused ("busy"); the others (connection bookkeeping, deliveries from other nodes,
 * operator commands) are never refused. Dispatch goes through {@link Handler}: adding a command without handling it
 * does not compile.
 */
public sealed interface Command {
    /** True for what a client sent (send, dm, join, leave). */
    default boolean fromClient() {
        return false;
    }

    /** True for a message a client sends (send, dm): what load shedding refuses first ({@link FanoutLag}). */
    default boolean isMessage() {
        return false;
    }

    void dispatch(Handler h);

    /** One method per command. */
    interface Handler {
        void publish(Publish c);

        void direct(Direct c);

        void join(Join c);

        void leave(Leave c);

        void open(Open c);

        void disconnect(Disconnect c);

        void continueCatchUp(ContinueCatchUp c);

        void remote(Remote c);

        void presenceChanged(PresenceChanged c);

        void onlineElsewhere(OnlineElsewhere c);

        void positions(Positions c);

        void gapWaitOver(GapWaitOver c);

        void operator(Operator<?> c);
    }

    /** {@code receivedNanos}: when the frame arrived, for the send-to-deliver latency. */
    record Publish(Connection from, String id, String room, String text, long receivedNanos) implements Command {
        public boolean fromClient() { return true; }

        public boolean isMessage() { return true; }

        public void dispatch(Handler h) { h.publish(this); }
    }

    record Direct(Connection from, String id, String to, String text) implements Command {
        public boolean fromClient() { return true; }

        public boolean isMessage() { return true; }

        public void dispatch(Handler h) { h.direct(this); }
    }

    /** {@code since}/{@code epoch}: the client's last seen seq in the room and the epoch it belongs to (both optional). */
    record Join(Connection conn, String frameId, String room, Long since, String epoch) implements Command {
        public boolean fromClient() { return true; }

        public void dispatch(Handler h) { h.join(this); }
    }

    record Leave(Connection conn, String frameId, String room) implements Command {
        public boolean fromClient() { return true; }

        public void dispatch(Handler h) { h.leave(this); }
    }

    /**
     * A new connection: sends its {@code welcome} (completed with the user's DM stream position and epoch) and
     * starts its DM stream, replaying from {@code dmSince} when given (see docs/protocol.md, "Direct messages").
     */
    record Open(Connection conn, ServerFrame.Welcome welcome, Long dmSince, String dmEpoch) implements Command {
        public void dispatch(Handler h) { h.open(this); }
    }

    record Disconnect(Connection conn) implements Command {
        public void dispatch(Handler h) { h.disconnect(this); }
    }

    /** The connection's outbox drained: queue the next page of its backlog. */
    record ContinueCatchUp(Connection conn) implements Command {
        public void dispatch(Handler h) { h.continueCatchUp(this); }
    }

    /** Something another node committed or decided, received through the broker. */
    record Remote(Publication publication) implements Command {
        public void dispatch(Handler h) { h.remote(this); }
    }

    /**
     * The presence seam answered this node: {@code user} came online ({@code joined}) or went offline in
     * {@code room}, counted over every node (an expired entry of a stopped node counts as going offline).
     */
    record PresenceChanged(String room, String user, boolean joined) implements Command {
        public void dispatch(Handler h) { h.presenceChanged(this); }
    }

    /** The presence seam's answer when a room loaded here: who is online in it through any node. */
    record OnlineElsewhere(String room, java.util.Set<String> users) implements Command {
        public void dispatch(Handler h) { h.onlineElsewhere(this); }
    }

    /**
     * Positions read from the shared store: last seq per loaded room, last DM stream position per user with
     * connections here. A position ahead of what this node delivered is a gap (a publication that never arrived),
     * filled from the store.
     */
    record Positions(Map<String, Long> rooms, Map<String, Long> dmStreams) implements Command {
        public void dispatch(Handler h) { h.positions(this); }
    }

    /** The wait for a room's missing seqs is over: if they are still missing, read them from the store. */
    record GapWaitOver(String room) implements Command {
        public void dispatch(Handler h) { h.gapWaitOver(this); }
    }

    /** An operator's command: runs in order with the chat traffic and completes {@link #result()}. */
    sealed interface Operator<T> extends Command {
        CompletableFuture<T> result();

        default void dispatch(Handler h) { h.operator(this); }

        /** Runs it; its outcome completes {@link #result()}. */
        T run(RoomOperations operations) throws java.sql.SQLException;
    }

    /** An operator's message to a room, stored in its history; completes with the connections reached here, -1 if no room. */
    record BroadcastRoom(String room, String text, CompletableFuture<Integer> result) implements Operator<Integer> {
        public Integer run(RoomOperations o) throws java.sql.SQLException { return o.broadcast(room, text); }
    }

    /** Moderation: blanks a message and tells the members; completes with false when there is no such message. */
    record DeleteMessage(String room, long seq, CompletableFuture<Boolean> result) implements Operator<Boolean> {
        public Boolean run(RoomOperations o) throws java.sql.SQLException { return o.deleteMessage(room, seq); }
    }

    /** Closes (removing every connection) or reopens a room; completes with the connections removed here, -1 if no room. */
    record SetRoomClosed(String room, boolean closed, CompletableFuture<Integer> result) implements Operator<Integer> {
        public Integer run(RoomOperations o) throws java.sql.SQLException { return o.setClosed(room, closed); }
    }

    /** Creates a room; completes with false when it already exists. */
    record CreateRoom(String room, CompletableFuture<Boolean> result) implements Operator<Boolean> {
        public Boolean run(RoomOperations o) throws java.sql.SQLException { return o.createRoom(room); }
    }
}
