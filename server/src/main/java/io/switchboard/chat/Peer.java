package io.switchboard.chat;

import java.nio.ByteBuffer;

/** The transport end of one connection: a bounded, non-blocking outbox plus close. */
public interface Peer {
    /**
     * Starts writing, with {@code first} (the welcome) ahead of everything queued so far. Frames offered before are
     * held back, so that the client sees nothing before its welcome, which the sequencer completes.
     */
    void start(String first);

    /**
     * Runs {@code then} once, on whichever thread notices it first, when at most {@code frames} frames are queued:
     * how a paged backlog waits for the client to read before the next page. A later call replaces an earlier one
     * that has not run; a closed peer never runs it.
     */
    void whenDrained(int frames, Runnable then);

    /** Queues an encoded frame and starts writing; false when the outbox is full (the peer is a slow consumer). */
    boolean offer(String frame);

    /** Queues an encoded frame without writing yet (see {@link #flush()}); false when the outbox is full. */
    boolean enqueue(String frame);

    /**
     * Queues a text frame already encoded to UTF-8 and shared by many recipients (a fan-out): the transport writes
     * a view of it, so the text is neither copied nor encoded again per recipient. The buffer must not change.
     */
    boolean enqueueShared(ByteBuffer utf8);

    /** Writes what {@link #enqueue} queued. */
    void flush();

    /** Frames queued and not yet written. */
    int queued();

    /** Bytes received from the client so far (any frame, pongs included); -1 when the transport cannot tell. */
    long bytesReceived();

    /** Sends a WebSocket ping (heartbeat); the client's pong keeps the connection from idling out. */
    void ping();

    /**
     * Closes with a code and a short reason; idempotent. Queued frames are written first unless
     * {@code discardQueued}; a peer that does not take them within a grace period is cut off.
     */
    void close(int code, String reason, boolean discardQueued);
}
