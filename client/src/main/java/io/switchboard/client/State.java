package io.switchboard.client;

/** Where a {@link SwitchboardClient} is in its life. */
public enum State {
    /** Built, {@link SwitchboardClient#connect()} not called yet. */
    NEW,
    /** Getting a token, opening the WebSocket, waiting for {@code welcome}. */
    CONNECTING,
    /** Welcomed: rooms are (re)joined and queued messages are being sent. */
    CONNECTED,
    /** Disconnected; the next attempt is scheduled after a backoff. */
    RECONNECTING,
    /** Terminal: closed by the application, by a terminal close code, or after too many failed attempts. */
    CLOSED
}
