package io.switchboard.bench;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One generated client connection. Public because Jetty reaches listeners reflectively. At most one data frame
 * is in flight per connection: a tick that finds the previous send unfinished is counted as skipped, which makes
 * back-pressure from the server (or a saturated generator) visible instead of queueing without bound.
 */
public final class Conn extends Session.Listener.AbstractAutoDemanding {
    final int index;
    final String user;
    final String room;
    final Wire wire;
    final Stats stats;
    final CompletableFuture<Conn> ready = new CompletableFuture<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    volatile URI uri;
    volatile long connectStartNanos;
    volatile long readyNanos;
    volatile int closeCode;
    /** The id the server gave this connection in {@code welcome} (Switchboard only). */
    volatile String connectionId;
    /** Whether the server's upgrade answer accepted permessage-deflate (only ever when the generator offered it). */
    volatile boolean deflateAccepted;
    /** The index of the node holding this connection (0 for n1, …), -1 when not known. */
    volatile int node = -1;
    /** The epoch of the room's sequence, from {@code joined} (Switchboard only). */
    volatile String epoch;
    /**
     * The highest seq of the room this connection has seen: {@code joined.seq}, then the seq of every {@code message}
     * while {@link #trackSeq} is on (Switchboard only; -1 before {@code joined}).
     */
    volatile long seenSeq = -1;
    /** Whether {@code message} frames update {@link #seenSeq} (off unless a phase needs it: a parse per delivery). */
    volatile boolean trackSeq;
    /** Closed by the harness on purpose (the reconnect storm): its close is not counted among the run's closes. */
    private volatile boolean dropped;

    Conn(int index, String user, String room, Wire wire, Stats stats) {
        this.index = index;
        this.user = user;
        this.room = room;
        this.wire = wire;
        this.stats = stats;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        super.onWebSocketOpen(session);
        deflateAccepted = session.getUpgradeResponse().getExtensions().stream()
                .anyMatch(e -> e.getName().equals("permessage-deflate"));
        if (ready.isCompletedExceptionally()) {
            session.disconnect(); // gave up on it already (timeout)
            return;
        }
        wire.opened(this);
    }

    @Override
    public void onWebSocketText(String message) {
        wire.received(this, message);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeCode = statusCode;
        if (!ready.isDone()) failed(new IllegalStateException("closed_" + statusCode));
        else if (!dropped) stats.closed(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        if (!ready.isDone()) failed(cause);
    }

    boolean open() {
        return closeCode == 0 && isOpen();
    }

    void markReady() {
        long now = System.nanoTime();
        if (ready.isDone()) return;
        readyNanos = now; // before completing: whoever sees the connection ready reads its time
        if (ready.complete(this)) stats.connected(now - connectStartNanos);
    }

    void failed(Throwable cause) {
        if (ready.completeExceptionally(cause)) {
            stats.connectFailed(Stats.reason(cause));
            Session s = getSession();
            if (s != null) s.disconnect();
        }
    }

    /**
     * Drops the connection as a network failure would: the TCP connection is closed without a WebSocket close
     * handshake (Jetty's {@code Session.disconnect()}), so the server learns of it from the socket, not from a close
     * frame.
     */
    void drop() {
        dropped = true;
        Session s = getSession();
        if (s != null) s.disconnect();
    }

    /** Handshake frames (join): sent before any data frame, so never concurrent with one. */
    void control(String frame) {
        Session s = getSession();
        if (s != null) s.sendText(frame, Callback.NOOP);
    }

    /** Sends a data frame unless one is still in flight; counts it as sent (with its fan-out) when written. */
    void send(String frame, long sentNanos, int fanout) {
        send(frame, sentNanos, fanout, 0, 0);
    }

    /**
     * As {@link #send(String, long, int)}; {@code crossFanout} of the recipients are on other nodes than this
     * connection, which {@code hops} other nodes hold (see {@link Stats#sent(long, int, int, int)}).
     */
    void send(String frame, long sentNanos, int fanout, int crossFanout, int hops) {
        Session s = getSession();
        if (s == null || !sending.compareAndSet(false, true)) {
            stats.skipped.increment();
            return;
        }
        s.sendText(frame, new Callback() {
            @Override
            public void succeed() {
                sending.set(false);
                stats.sent(sentNanos, fanout, crossFanout, hops);
            }

            @Override
            public void fail(Throwable x) {
                sending.set(false);
                stats.sendFailures.increment();
            }
        });
    }
}
