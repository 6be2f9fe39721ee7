package io.switchboard.protocol;

/** WebSocket close codes Switchboard uses, with whether a client should reconnect. See docs/protocol.md. */
public final class CloseCodes {
    private CloseCodes() {}

    /** Server shutting down; reconnect with backoff. */
    public static final int GOING_AWAY = 1001;
    /**
     * Service Restart (IANA), reason {@code draining}: this node is being taken out of service (SIGTERM or an
     * operator's drain). Reconnect at once, after a random jitter of up to about a second, and resume (join with
     * {@code since}, {@code dmSince}); a load balancer sends the new connection to another node. Also the answer to a
     * new connection while the node drains (then before any welcome: reconnect with the usual backoff).
     */
    public static final int SERVICE_RESTART = 1012;
    /** Frame above the transport hard limit (4x limits.frame.bytes); reconnect allowed. */
    public static final int TOO_BIG = 1009;
    /** The client did not read its frames fast enough; reconnect and resume. */
    public static final int SLOW_CONSUMER = 1013;
    /** The same code with reason {@code unavailable}: the store failed while the connection was being set up or
     * caught up; reconnect with backoff and resume. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Nothing, not even a pong, arrived within heartbeat.timeout; reconnect. */
    public static final int HEARTBEAT_TIMEOUT = 4000;
    /** Token missing, malformed, forged or of a wrong algorithm; terminal until the client has a valid token. */
    public static final int UNAUTHORIZED = 4001;
    /** Token expired; get a fresh token, then reconnect. */
    public static final int TOKEN_EXPIRED = 4002;
    /** The user is banned; terminal until the ban ends. */
    public static final int BANNED = 4003;
    /** An operator kicked this connection; may reconnect. */
    public static final int KICKED = 4004;
    /** Too many connections for this user or address; reconnect later. */
    public static final int TOO_MANY_CONNECTIONS = 4005;
    /** Repeated protocol or limit violations; reconnect after a backoff. */
    public static final int POLICY_VIOLATION = 4008;
}
