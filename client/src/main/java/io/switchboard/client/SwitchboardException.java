package io.switchboard.client;

/**
 * A failure reported by the server or the client. {@code code} is the protocol's error code (such as
 * {@code not_joined}, {@code room_forbidden}, {@code text_too_long}) or one of the client's own:
 * {@code outbox_full}, {@code closed}, {@code missing_messages}, {@code bad_frame}.
 */
public class SwitchboardException extends RuntimeException {
    private final String code;

    public SwitchboardException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public SwitchboardException(String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
