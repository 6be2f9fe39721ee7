package io.switchboard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;
import java.util.Map;

/** Frames the server sends; the {@code type} field names the record. Null fields are left out. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(ServerFrame.Welcome.class), @JsonSubTypes.Type(ServerFrame.Joined.class),
    @JsonSubTypes.Type(ServerFrame.Left.class), @JsonSubTypes.Type(ServerFrame.Message.class),
    @JsonSubTypes.Type(ServerFrame.DirectMessage.class), @JsonSubTypes.Type(ServerFrame.Ack.class),
    @JsonSubTypes.Type(ServerFrame.History.class), @JsonSubTypes.Type(ServerFrame.Presence.class),
    @JsonSubTypes.Type(ServerFrame.SystemNotice.class), @JsonSubTypes.Type(ServerFrame.Error.class),
    @JsonSubTypes.Type(ServerFrame.Pong.class), @JsonSubTypes.Type(ServerFrame.Kicked.class),
    @JsonSubTypes.Type(ServerFrame.Deleted.class), @JsonSubTypes.Type(ServerFrame.DmHistory.class)
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerFrame {

    /**
     * First frame on every connection. {@code heartbeat} is the server ping interval in seconds; {@code dms} the
     * user's direct-message stream: its last position and epoch (null only before the sequencer completes it).
     */
    @JsonTypeName("welcome")
    record Welcome(String connectionId, String user, String name, long serverTime, long heartbeat,
                   Map<String, Integer> limits, StreamPosition dms) implements ServerFrame {
        public Welcome(String connectionId, String user, String name, long serverTime, long heartbeat, Map<String, Integer> limits) {
            this(connectionId, user, name, serverTime, heartbeat, limits, null);
        }
    }

    /** Where a stream stands: its last {@code seq} (0 when empty) and the {@code epoch} positions belong to. */
    record StreamPosition(long seq, String epoch) {}

    /**
     * Answer to join. {@code seq} is the room's latest seq; {@code members} the users online in it.
     * {@code epoch} is the epoch of the room's sequence (see docs/protocol.md, "Epochs").
     * {@code replayed} counts the messages replayed after {@code since} up to {@code seq}; when {@code hasMore} is
     * true, older missed messages exist before {@code firstReplayed} and are fetched with history.
     */
    @JsonTypeName("joined")
    record Joined(String id, String room, long seq, String epoch, List<String> members, Integer replayed, Boolean hasMore,
                  Long firstReplayed) implements ServerFrame {}

    /** Answer to leave, or notice that an operator closed the room ({@code reason: "room_closed"}). */
    @JsonTypeName("left")
    record Left(String id, String room, String reason) implements ServerFrame {}

    /**
     * A room message; {@code id} is the sender's client id. In history, operator broadcasts appear with
     * {@code system: true} and moderated messages with {@code deleted: true} and empty text.
     */
    @JsonTypeName("message")
    record Message(String room, long seq, String id, String from, String name, String text, long ts,
                   Boolean system, Boolean deleted) implements ServerFrame {
        public Message(String room, long seq, String id, String from, String name, String text, long ts) {
            this(room, seq, id, from, name, text, ts, null, null);
        }
    }

    /**
     * A direct message as an entry of one user's DM stream: {@code seq} is its position in the stream of the user
     * whose connection receives it (the recipient's copy and the sender's echo carry different seqs).
     */
    @JsonTypeName("dm")
    record DirectMessage(long seq, String id, String from, String name, String to, String text, long ts) implements ServerFrame {}

    /** The message with this client id is durably stored; a retry returns the same ack. */
    @JsonTypeName("ack")
    record Ack(String id, String room, String to, long seq, long ts, Boolean duplicate) implements ServerFrame {}

    @JsonTypeName("history")
    record History(String id, String room, List<Message> messages, boolean hasMore) implements ServerFrame {}

    /** Answer to dm_history: a page of the user's DM stream, oldest first. */
    @JsonTypeName("dm_history")
    record DmHistory(String id, List<DirectMessage> messages, boolean hasMore) implements ServerFrame {}

    @JsonTypeName("presence")
    record Presence(String room, String user, String event) implements ServerFrame {}

    /** An operator's broadcast; a room broadcast is stored in the room's history under {@code seq}. */
    @JsonTypeName("system")
    record SystemNotice(String text, String room, Long seq, long ts) implements ServerFrame {}

    /** An operator disconnects this connection; the close (4004) follows. */
    @JsonTypeName("kicked")
    record Kicked(String reason) implements ServerFrame {}

    /** An operator removed a room message; clients hide it. */
    @JsonTypeName("deleted")
    record Deleted(String room, long seq) implements ServerFrame {}

    @JsonTypeName("error")
    record Error(String code, String message, String id) implements ServerFrame {}

    @JsonTypeName("pong")
    record Pong(String id, long serverTime) implements ServerFrame {}
}
