package io.switchboard.bench;

/**
 * Cheap scanning of the frames the generator receives: at 100k deliveries per second a full JSON parse per frame
 * would make the generator, not the server, the bottleneck. Message texts carry a send-time marker
 * ({@code ~T<nanoTime>|}) and message ids are {@code a<nanoTime>}; neither needs JSON escaping.
 */
final class Frames {
    static final String MARKER = "~T";
    static final long NONE = Long.MIN_VALUE;

    private Frames() {}

    /** A message text of {@code payload} characters (at least the marker) that carries {@code sentNanos}. */
    static String text(long sentNanos, int payload) {
        return text(sentNanos, payload, -1);
    }

    /**
     * As {@link #text(long, int)}, followed by the sender's node index ({@code ~T<nanos>|n<node>|xxx…}) when it is
     * known ({@code node >= 0}), so that each recipient can tell a delivery that crossed nodes from a local one.
     */
    static String text(long sentNanos, int payload, int node) {
        StringBuilder b = new StringBuilder(Math.max(payload, 28));
        b.append(MARKER).append(sentNanos).append('|');
        if (node >= 0) b.append('n').append(node).append('|');
        while (b.length() < payload) b.append('x');
        return b.toString();
    }

    /** The sender's node index written by {@link #text(long, int, int)} into the first marker of {@code s}, or -1. */
    static int senderNode(String s) {
        int i = s.indexOf(MARKER);
        if (i < 0) return -1;
        i += MARKER.length();
        if (i < s.length() && s.charAt(i) == '-') i++;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i + 2 >= s.length() || s.charAt(i) != '|' || s.charAt(i + 1) != 'n') return -1;
        long node = parseLong(s, i + 2);
        int end = i + 2 + String.valueOf(node).length();
        return node == NONE || node < 0 || node > 1000 || end >= s.length() || s.charAt(end) != '|' ? -1 : (int) node;
    }

    /** The send time in the first marker of {@code s}, or {@link #NONE}. */
    static long markerNanos(String s) {
        int i = s.indexOf(MARKER);
        return i < 0 ? NONE : parseLong(s, i + MARKER.length());
    }

    /** The value of string field {@code name} in a flat JSON object, or null; values must need no escaping. */
    static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int i = json.indexOf(key);
        if (i < 0) return null;
        int start = i + key.length();
        int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }

    /** The value of numeric field {@code name} in a flat JSON object (the first one of that name), or {@link #NONE}. */
    static long number(String json, String name) {
        String key = "\"" + name + "\":";
        int i = json.indexOf(key);
        return i < 0 ? NONE : parseLong(json, i + key.length());
    }

    private static final String SEQ = "\"seq\":";

    /** The {@code seq} of a {@code message}, {@code joined} or {@code ack} frame, or {@link #NONE}. */
    static long seq(String json) {
        int i = json.indexOf(SEQ);
        return i < 0 ? NONE : parseLong(json, i + SEQ.length());
    }

    /** Whether boolean field {@code name} of a flat JSON object is {@code true}. */
    static boolean isTrue(String json, String name) {
        return json.contains("\"" + name + "\":true");
    }

    /** The frame's {@code type}, without allocating for the types the generator sees most. */
    static String type(String json) {
        String key = "\"type\":\"";
        int i = json.indexOf(key);
        if (i < 0) return "";
        int start = i + key.length();
        if (json.startsWith("message\"", start)) return "message";
        if (json.startsWith("ack\"", start)) return "ack";
        if (json.startsWith("presence\"", start)) return "presence";
        if (json.startsWith("dm\"", start)) return "dm";
        int end = json.indexOf('"', start);
        return end < 0 ? "" : json.substring(start, end);
    }

    /** The send time in an {@code ack}'s id ({@code "id":"a<nanos>"}), or {@link #NONE}. */
    static long ackNanos(String json) {
        String key = "\"id\":\"a";
        int i = json.indexOf(key);
        return i < 0 ? NONE : parseLong(json, i + key.length());
    }

    /** A signed decimal starting at {@code from}; {@link #NONE} if there is none. */
    static long parseLong(String s, int from) {
        int i = from;
        boolean negative = false;
        if (i < s.length() && s.charAt(i) == '-') {
            negative = true;
            i++;
        }
        int digitsFrom = i;
        long v = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') break;
            v = v * 10 + (c - '0');
            i++;
        }
        if (i == digitsFrom) return NONE;
        return negative ? -v : v;
    }
}
