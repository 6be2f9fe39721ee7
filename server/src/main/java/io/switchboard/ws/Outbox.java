package io.switchboard.ws;

import io.switchboard.chat.Peer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * A bounded queue of encoded frames in front of one Jetty session, with one batch of writes in flight: the frames
 * queued so far (up to {@link #MAX_BATCH}) are handed to Jetty together, which gathers them into as few socket
 * writes as it can, and the next batch starts from the completion of the last frame of this one. A client that
 * cannot keep up therefore fills this queue, not Jetty's, and is dropped at its bound. {@link IteratingCallback}
 * keeps the loop iterative when writes complete at once, and safe when frames are offered from many threads.
 */
final class Outbox extends IteratingCallback implements Peer {
    private static final ByteBuffer PING = ByteBuffer.allocate(0);
    static final int MAX_BATCH = 32;

    private final Session session;
    private final int capacity;
    private final ScheduledExecutorService scheduler;
    private final Duration closeTimeout;
    /** Encoded frames: a String, or a ByteBuffer of UTF-8 shared with other recipients (never modified). */
    private final ConcurrentLinkedDeque<Object> queue = new ConcurrentLinkedDeque<>();
    /** What {@link #whenDrained} waits to run, and at which depth. */
    private final AtomicReference<Runnable> drainWaiter = new AtomicReference<>();
    private volatile int drainLevel;
    private final CoreSession core;
    private final AtomicInteger size = new AtomicInteger();
    /** Completion of every frame of a batch but the last: only a failure matters, the last frame reports it too. */
    private final Callback batched = new Callback() {
        @Override
        public void succeed() {
        }

        @Override
        public void fail(Throwable x) {
            closing = true;
        }
    };
    private final Callback writeDone = new Callback() {
        @Override
        public void succeed() {
            succeeded();
        }

        @Override
        public void fail(Throwable x) {
            failed(x);
        }
    };
    /** {@link #batched} for frames handed to Jetty's core session (the last one reports to this callback itself). */
    private final org.eclipse.jetty.util.Callback coreBatched = new org.eclipse.jetty.util.Callback() {
        @Override
        public void failed(Throwable x) {
            closing = true;
        }
    };
    private volatile boolean started;
    private volatile boolean closing;
    private volatile int closeCode;
    private volatile String closeReason;
    private boolean closeSent; // only touched in process(), which IteratingCallback never runs concurrently

    Outbox(Session session, int capacity, ScheduledExecutorService scheduler, Duration closeTimeout) {
        this.session = session;
        this.core = session instanceof WebSocketSession ws ? ws.getCoreSession() : null;
        this.capacity = capacity;
        this.scheduler = scheduler;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public boolean offer(String frame) {
        if (!enqueue(frame)) return false;
        iterate();
        return true;
    }

    @Override
    public boolean enqueue(String frame) {
        return add(frame);
    }

    @Override
    public boolean enqueueShared(ByteBuffer utf8) {
        return add(core != null ? utf8 : java.nio.charset.StandardCharsets.UTF_8.decode(utf8.duplicate()).toString());
    }

    private boolean add(Object frame) {
        if (closing) return true; // the connection is going away; dropping is not a slow-consumer signal
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        queue.offer(frame);
        return true;
    }

    /**
     * Hands one frame to Jetty; a shared buffer goes as a view of itself, so it is neither copied nor re-encoded. Every
     * frame of a round but the last is marked batch: Jetty's frame flusher then gathers them into one buffer and the
     * last one writes them all with one system call. Unbatched, each frame whose write completes at once (the
     * socket has room, the usual case) costs a write of its own, and socket writes are most of the fan-out's CPU.
     */
    private void send(Object frame, boolean last) {
        if (core != null) {
            Frame f = new Frame(OpCode.TEXT);
            if (frame instanceof ByteBuffer shared) f.setPayload(shared.duplicate());
            else f.setPayload((String) frame);
            core.sendFrame(f, last ? this : coreBatched, !last);
        } else {
            session.sendText((String) frame, last ? writeDone : batched);
        }
    }

    @Override
    public void flush() {
        iterate();
    }

    @Override
    public int queued() {
        return size.get();
    }

    @Override
    public void start(String first) {
        // Nothing was polled yet (process() stays idle until started), so the welcome goes ahead of what is queued.
        size.incrementAndGet();
        queue.offerFirst(first);
        started = true;
        iterate();
    }

    @Override
    public void whenDrained(int frames, Runnable then) {
        drainLevel = frames;
        drainWaiter.set(then);
        if (closing) {
            drainWaiter.set(null);
            return;
        }
        checkDrained();
    }

    private void checkDrained() {
        Runnable waiter = drainWaiter.get();
        if (waiter != null && size.get() <= drainLevel && !closing && drainWaiter.compareAndSet(waiter, null)) waiter.run();
    }

    @Override
    protected Action process() {
        if (!started && !closing) return Action.IDLE;
        Object next = queue.poll();
        if (next != null) {
            int sent = 1;
            for (Object after = queue.poll(); after != null; after = queue.poll()) {
                send(next, false);
                next = after;
                if (++sent == MAX_BATCH) break;
            }
            size.addAndGet(-sent);
            send(next, true);
            checkDrained();
            return Action.SCHEDULED;
        }
        if (closing) {
            if (closeSent) return Action.SUCCEEDED;
            closeSent = true;
            session.close(closeCode, closeReason, writeDone);
            return Action.SCHEDULED;
        }
        return Action.IDLE;
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        closing = true;
        queue.clear();
        session.disconnect();
    }

    @Override
    public long bytesReceived() {
        if (session instanceof WebSocketSession ws && ws.getCoreSession() instanceof WebSocketCoreSession core) {
            return core.getConnection().getBytesIn();
        }
        return -1;
    }

    @Override
    public void ping() {
        if (!closing && session.isOpen()) session.sendPing(PING.duplicate(), Callback.NOOP);
    }

    @Override
    public void close(int code, String reason, boolean discardQueued) {
        if (closing) return;
        closeCode = code;
        closeReason = reason;
        closing = true;
        if (discardQueued) {
            queue.clear();
            size.set(0);
        }
        iterate(); // writes what is left, then the close frame

        // A peer that does not read never receives the close frame; cut the connection after a grace period.
        scheduler.schedule(() -> {
            if (session.isOpen()) session.disconnect();
        }, closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
