package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * The one place that turns JSON text into {@link ClientFrame}s and {@link ServerFrame}s into JSON text.
 * Decoding is explicit per field so that every bad input gets an error naming the field, never an exception.
 */
public final class FrameCodec {
    private static final int MAX_ID_CHARS = 128;
    private static final int MAX_EPOCH_CHARS = 64;

    private final ObjectMapper mapper;
    private final ObjectWriter writer;

    public FrameCodec(ObjectMapper mapper) {
        this.mapper = mapper;
        this.writer = mapper.writerFor(ServerFrame.class);
    }

    public String encode(ServerFrame frame) {
        try {
            return writer.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
    }

    /** The frame as UTF-8 bytes, for fan-outs that hand the same bytes to every recipient. */
    public byte[] encodeUtf8(ServerFrame frame) {
        try {
            return writer.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
    }

    public ClientFrame decode(String text) throws ProtocolException {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "frame is not valid JSON", null);
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "frame must be a JSON object", null);
        }
        String illFormed = illFormedField(node, "");
        if (illFormed != null) {
            // Every string of the frame, ignored fields and field names included: what cannot be stored as received
            // is refused as a whole, so that no part of a frame is read in a form other than the one sent.
            JsonNode rawId = node.get("id");
            String id = rawId != null && rawId.isTextual() && rawId.asText().length() <= MAX_ID_CHARS
                    && Text.isWellFormed(rawId.asText()) ? rawId.asText() : null;
            throw new ProtocolException(ErrorCode.INVALID_FRAME,
                    "field '" + illFormed + "' is " + io.switchboard.protocol.Text.RULE, id);
        }
        String id = optionalText(node, "id", MAX_ID_CHARS, null);
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field 'type' must be a string", id);
        }
        return switch (type.asText()) {
            case "join" -> new ClientFrame.Join(id, requiredText(node, "room", id), optionalLong(node, "since", id),
                    optionalText(node, "epoch", MAX_EPOCH_CHARS, id));
            case "leave" -> new ClientFrame.Leave(id, requiredText(node, "room", id));
            case "send" -> new ClientFrame.Send(requiredId(id), requiredText(node, "room", id), requiredText(node, "text", id));
            case "dm" -> new ClientFrame.Dm(requiredId(id), requiredText(node, "to", id), requiredText(node, "text", id));
            case "history" -> new ClientFrame.History(id, requiredText(node, "room", id),
                    optionalLong(node, "before", id), optionalInt(node, "limit", id));
            case "dm_history" -> new ClientFrame.DmHistory(id, optionalLong(node, "before", id), optionalInt(node, "limit", id));
            case "ping" -> new ClientFrame.Ping(id);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "unknown frame type '" + truncate(type.asText()) + "'", id);
        };
    }

    private static String requiredId(String id) throws ProtocolException {
        if (id == null || id.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field 'id' is required (a unique string per message)", null);
        }
        return id;
    }

    private static String requiredText(JsonNode node, String field, String id) throws ProtocolException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field '" + field + "' is required", id);
        }
        if (!v.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field '" + field + "' must be a string", id);
        }
        return wellFormed(field, v.asText(), id);
    }

    private static String optionalText(JsonNode node, String field, int maxChars, String id) throws ProtocolException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field '" + field + "' must be a string", id);
        }
        if (v.asText().length() > maxChars) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME,
                    "field '" + field + "' must be at most " + maxChars + " characters", null);
        }
        return wellFormed(field, v.asText(), "id".equals(field) ? null : id);
    }

    private static Long optionalLong(JsonNode node, String field, String id) throws ProtocolException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field '" + field + "' must be a non-negative integer", id);
        }
        return v.asLong();
    }

    private static Integer optionalInt(JsonNode node, String field, String id) throws ProtocolException {
        Long v = optionalLong(node, field, id);
        if (v == null) return null;
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, "field '" + field + "' must be a positive integer", id);
        }
        return v.intValue();
    }

    /**
     * The path of the first field whose name or string value is not well-formed Unicode, or null. Field names that are
     * themselves ill-formed are shown with their surrogates as '?', so the error message stays encodable.
     */
    private static String illFormedField(JsonNode node, String path) {
        if (node.isTextual()) return Text.isWellFormed(node.asText()) ? null : (path.isEmpty() ? "(frame)" : path);
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String bad = illFormedField(node.get(i), path + "[" + i + "]");
                if (bad != null) return bad;
            }
        } else if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                String name = f.getKey();
                String at = path.isEmpty() ? printable(name) : path + "." + printable(name);
                if (!Text.isWellFormed(name)) return at;
                String bad = illFormedField(f.getValue(), at);
                if (bad != null) return bad;
            }
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 40));
        for (int i = 0; i < s.length() && b.length() < 40; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) || Character.isISOControl(c) ? '?' : c);
            }
        }
        return b.toString();
    }

    /**
     * Refuses text that is not well-formed Unicode (a lone surrogate, which JSON's {@code \\uD800} escapes can
     * carry): it cannot be stored as received, and what is acked must be what history returns.
     */
    private static String wellFormed(String field, String value, String id) throws ProtocolException {
        if (!Text.isWellFormed(value)) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME,
                    "field '" + field + "' is " + io.switchboard.protocol.Text.RULE, id);
        }
        return value;
    }

    private static String truncate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }
}
