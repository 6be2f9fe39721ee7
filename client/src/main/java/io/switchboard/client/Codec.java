package io.switchboard.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format (docs/protocol.md): server frames to records, client frames to JSON text. Reads leniently:
 * unknown fields are ignored and unknown frame types decode to {@link Unknown}, so a newer server does not break
 * an older client.
 */
final class Codec {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Frames the client handles but does not hand to applications as such. */
    record ErrorFrame(String code, String message, String id) {}

    record HistoryFrame(String id, History history) {}

    record DmHistoryFrame(String id, DirectHistory history) {}

    record LeftFrame(String id, Left left) {}

    record Unknown(String type) {}

    private Codec() {}

    /** One server frame as a record; throws {@link SwitchboardException} {@code bad_frame} when it is not JSON. */
    static Object decode(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SwitchboardException("bad_frame", "the server sent something that is not JSON", e);
        }
        if (n == null || !n.isObject()) throw new SwitchboardException("bad_frame", "the server sent a non-object frame");
        String type = n.path("type").asText("");
        switch (type) {
            case "welcome": {
                Map<String, Integer> limits = new HashMap<>();
                n.path("limits").fields().forEachRemaining(e -> {
                    if (e.getValue().canConvertToInt()) limits.put(e.getKey(), e.getValue().intValue());
                });
                JsonNode dms = n.get("dms");
                Position position = dms == null || !dms.isObject() ? null
                        : new Position(Math.max(0, dms.path("seq").asLong(0)), str(dms, "epoch"));
                return new Welcome(str(n, "connectionId"), str(n, "user"), str(n, "name"), n.path("serverTime").asLong(),
                        Duration.ofSeconds(n.path("heartbeat").asLong(0)), limits, position);
            }
            case "joined": {
                List<String> members = new ArrayList<>();
                n.path("members").forEach(m -> members.add(m.asText()));
                return new Joined(str(n, "room"), n.path("seq").asLong(), members, n.path("replayed").asInt(0),
                        n.path("hasMore").asBoolean(false), optLong(n, "firstReplayed"), str(n, "epoch"));
            }
            case "left":
                return new LeftFrame(str(n, "id"), new Left(str(n, "room"), str(n, "reason")));
            case "message":
                return message(n);
            case "dm":
                return direct(n);
            case "dm_history": {
                List<DirectMessage> messages = new ArrayList<>();
                n.path("messages").forEach(m -> messages.add(direct(m)));
                return new DmHistoryFrame(str(n, "id"), new DirectHistory(messages, n.path("hasMore").asBoolean(false)));
            }
            case "ack":
                return new Ack(str(n, "id"), str(n, "room"), str(n, "to"), n.path("seq").asLong(), n.path("ts").asLong(),
                        n.path("duplicate").asBoolean(false));
            case "history": {
                List<Message> messages = new ArrayList<>();
                n.path("messages").forEach(m -> messages.add(message(m)));
                return new HistoryFrame(str(n, "id"), new History(str(n, "room"), messages, n.path("hasMore").asBoolean(false)));
            }
            case "presence":
                return new Presence(str(n, "room"), str(n, "user"), str(n, "event"));
            case "system":
                return new SystemNotice(n.path("text").asText(""), str(n, "room"), optLong(n, "seq"), n.path("ts").asLong());
            case "deleted":
                return new Deleted(str(n, "room"), n.path("seq").asLong());
            case "kicked":
                return new Kicked(str(n, "reason"));
            case "error":
                return new ErrorFrame(n.path("code").asText("unknown"), n.path("message").asText(""), str(n, "id"));
            default:
                return new Unknown(type);
        }
    }

    private static Message message(JsonNode n) {
        return new Message(str(n, "room"), n.path("seq").asLong(), str(n, "id"), str(n, "from"), str(n, "name"),
                n.path("text").asText(""), n.path("ts").asLong(), n.path("system").asBoolean(false),
                n.path("deleted").asBoolean(false));
    }

    private static DirectMessage direct(JsonNode n) {
        return new DirectMessage(n.path("seq").asLong(), str(n, "id"), str(n, "from"), str(n, "name"),
                str(n, "to"), n.path("text").asText(""), n.path("ts").asLong());
    }

    private static String str(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Long optLong(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asLong();
    }

    static String join(String id, String room, Long since, String epoch) {
        ObjectNode f = frame("join", id).put("room", room);
        if (since != null) f.put("since", since);
        if (since != null && epoch != null) f.put("epoch", epoch);
        return f.toString();
    }

    static String leave(String id, String room) {
        return frame("leave", id).put("room", room).toString();
    }

    static String send(String id, String room, String text) {
        return frame("send", id).put("room", room).put("text", text).toString();
    }

    static String dm(String id, String to, String text) {
        return frame("dm", id).put("to", to).put("text", text).toString();
    }

    static String history(String id, String room, Long before, Integer limit) {
        ObjectNode f = frame("history", id).put("room", room);
        if (before != null) f.put("before", before);
        if (limit != null) f.put("limit", limit);
        return f.toString();
    }

    static String dmHistory(String id, Long before, Integer limit) {
        ObjectNode f = frame("dm_history", id);
        if (before != null) f.put("before", before);
        if (limit != null) f.put("limit", limit);
        return f.toString();
    }

    /** True when the string holds a lone surrogate: not Unicode, so the server refuses it (and UTF-8 cannot carry it). */
    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else return true;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode frame(String type, String id) {
        ObjectNode f = JSON.createObjectNode().put("type", type);
        if (id != null) f.put("id", id);
        return f;
    }
}
