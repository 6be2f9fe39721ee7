package io.switchboard.testing;

import io.switchboard.chat.Peer;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport that writes nowhere, for connections that exist only in a test: it accepts every frame, counts the
 * ones offered and remembers how it was closed. Its queue length can be set to sort and filter by it.
 */
public final class FakePeer implements Peer {
    private final AtomicInteger offered = new AtomicInteger();
    private volatile int queued;
    private volatile int closeCode = -1;

    @Override
    public void start(String first) {
        offered.incrementAndGet();
    }

    @Override
    public void whenDrained(int frames, Runnable then) {
        if (closeCode < 0) then.run();
    }

    @Override
    public boolean offer(String frame) {
        offered.incrementAndGet();
        return true;
    }

    @Override
    public boolean enqueue(String frame) {
        offered.incrementAndGet();
        return true;
    }

    @Override
    public boolean enqueueShared(ByteBuffer utf8) {
        offered.incrementAndGet();
        return true;
    }

    @Override
    public void flush() {}

    @Override
    public int queued() {
        return queued;
    }

    /** What {@link #queued()} answers from now on. */
    public void setQueued(int frames) {
        queued = frames;
    }

    @Override
    public long bytesReceived() {
        return -1;
    }

    @Override
    public void ping() {}

    @Override
    public void close(int code, String reason, boolean discardQueued) {
        if (closeCode < 0) closeCode = code;
    }

    /** The close code given, or -1 while open. */
    public int closeCode() {
        return closeCode;
    }

    /** Frames offered so far, the welcome included. */
    public int offered() {
        return offered.get();
    }
}
