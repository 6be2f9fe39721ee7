package io.switchboard.chat;

/** The transport end of one connection: a bounded, non-blocking outbox plus close. */
public interface Peer {
    /** Queues an encoded frame; false when the outbox is full (the caller treats the peer as a slow consumer). */
    boolean offer(String frame);

    /** Frames queued and not yet written. */
    int queued();

    /** Bytes received from the client so far (any frame, pongs included); -1 when the transport cannot tell. */
    long bytesReceived();

    /** Sends a WebSocket ping (heartbeat); the client's pong keeps the connection from idling out. */
    void ping();

    /** Closes with a code and a short reason; idempotent. Frames still queued may be dropped. */
    void close(int code, String reason);
}
