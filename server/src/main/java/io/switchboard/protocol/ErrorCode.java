package io.switchboard.protocol;

/** Codes of {@code error} frames. Each is documented in docs/protocol.md. */
public enum ErrorCode {
    BAD_JSON("bad_json"),
    INVALID_FRAME("invalid_frame"),
    UNKNOWN_TYPE("unknown_type"),
    BINARY_NOT_SUPPORTED("binary_not_supported"),
    FRAME_TOO_LARGE("frame_too_large"),
    TEXT_TOO_LONG("text_too_long"),
    RATE_LIMITED("rate_limited"),
    TOO_MANY_ROOMS("too_many_rooms"),
    INVALID_ROOM("invalid_room"),
    ROOM_FORBIDDEN("room_forbidden"),
    ROOM_NOT_FOUND("room_not_found"),
    ROOM_CLOSED("room_closed"),
    NOT_JOINED("not_joined"),
    /** The id was already used by this user for a different message; nothing stored, not to be retried. */
    ID_CONFLICT("id_conflict"),
    /** The store refused the message as sent (a value out of range); nothing stored, not to be retried unchanged. */
    REJECTED("rejected"),
    BUSY("busy"),
    UNAVAILABLE("unavailable");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
