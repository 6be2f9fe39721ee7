package io.switchboard.directory;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a connection list is sorted by. Every sort is a keyset order over (key, connection id): numbers compare
 * numerically, text by UTF-16 code units ({@link String#compareTo}), so that every node orders alike and per-node
 * pages can be merged exactly.
 */
public enum ConnectionSort {
    CONNECTED_AT("connectedAt", true),
    USER("user", false),
    ID("id", false),
    /** Frames received from the client ({@code messagesIn} in a {@link ConnectionView}). */
    FRAMES_IN("framesIn", true),
    /** Frames queued to the client ({@code messagesOut} in a {@link ConnectionView}). */
    FRAMES_OUT("framesOut", true),
    QUEUED("queued", true);

    private final String param;
    private final boolean numeric;

    ConnectionSort(String param, boolean numeric) {
        this.param = param;
        this.numeric = numeric;
    }

    /** The name in the API ({@code ?sort=}). */
    public String param() {
        return param;
    }

    /** True when the key is a number ({@link #number}), false when it is text ({@link #text}). */
    public boolean numeric() {
        return numeric;
    }

    /** The numeric key of a view (0 for a text sort). */
    public long number(ConnectionView v) {
        return switch (this) {
            case CONNECTED_AT -> v.connectedAt();
            case FRAMES_IN -> v.messagesIn();
            case FRAMES_OUT -> v.messagesOut();
            case QUEUED -> v.queued();
            case USER, ID -> 0;
        };
    }

    /** The text key of a view (null for a numeric sort). */
    public String text(ConnectionView v) {
        return switch (this) {
            case USER -> v.user();
            case ID -> v.id();
            case CONNECTED_AT, FRAMES_IN, FRAMES_OUT, QUEUED -> null;
        };
    }

    /** The sort named {@code param} in the API, or null when there is none of that name. */
    public static ConnectionSort fromParam(String param) {
        for (ConnectionSort s : values()) {
            if (s.param.equals(param)) return s;
        }
        return null;
    }

    /** The API names, comma-separated, for error messages and docs. */
    public static String names() {
        return Arrays.stream(values()).map(ConnectionSort::param).collect(Collectors.joining(", "));
    }
}
