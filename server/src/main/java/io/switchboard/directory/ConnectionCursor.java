package io.switchboard.directory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A keyset position in a sorted connection list: the (key, id) of the last item of a page. Encoded as an opaque
 * base64url string that also names the sort and direction it belongs to, so that a cursor used with another order
 * is refused instead of skipping or repeating items.
 *
 * @param number the key of a numeric sort (0 for a text sort)
 * @param text   the key of a text sort (null for a numeric sort)
 * @param id     the connection id, the tie-break
 */
public record ConnectionCursor(ConnectionSort sort, boolean descending, long number, String text, String id) {
    private static final String VERSION = "c1";

    public ConnectionCursor {
        if (sort == null || id == null) throw new IllegalArgumentException("a cursor needs a sort and an id");
        if (sort.numeric() != (text == null)) throw new IllegalArgumentException("the key does not fit the sort " + sort.param());
    }

    /** The position just after {@code v} in the given order. */
    public static ConnectionCursor after(ConnectionView v, ConnectionSort sort, boolean descending) {
        return new ConnectionCursor(sort, descending, sort.number(v), sort.text(v), v.id());
    }

    /** The opaque form handed to clients. */
    public String encode() {
        // The key goes last so that it may hold any character; ids are base64url and never hold the separator.
        String raw = String.join("\n", VERSION, sort.param(), descending ? "desc" : "asc", id,
                sort.numeric() ? Long.toString(number) : text);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a cursor this class encoded.
     *
     * @throws IllegalArgumentException when {@code encoded} is not one (a message fit for a 400 answer)
     */
    public static ConnectionCursor decode(String encoded) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw notOurs();
        }
        String[] parts = raw.split("\n", 5);
        if (parts.length != 5 || !VERSION.equals(parts[0]) || parts[3].isEmpty()) throw notOurs();
        ConnectionSort sort = ConnectionSort.fromParam(parts[1]);
        if (sort == null || !(parts[2].equals("asc") || parts[2].equals("desc"))) throw notOurs();
        long number = 0;
        String text = null;
        if (sort.numeric()) {
            try {
                number = Long.parseLong(parts[4]);
            } catch (NumberFormatException e) {
                throw notOurs();
            }
        } else {
            text = parts[4];
        }
        return new ConnectionCursor(sort, parts[2].equals("desc"), number, text, parts[3]);
    }

    private static IllegalArgumentException notOurs() {
        return new IllegalArgumentException("cursor is not one this API returned");
    }
}
