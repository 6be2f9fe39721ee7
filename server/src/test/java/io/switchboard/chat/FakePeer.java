package io.switchboard.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport end without a socket, for fast tests of the chat core: frames are "written" at once into a list the
 * test reads. Holds frames back until {@link #start}, like the real outbox, and refuses beyond its capacity.
 */
final class FakePeer implements Peer {
    private final int capacity;
    private final List<String> held = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private boolean started;
    private Integer closeCode;
    private Runnable whenDrained;

    FakePeer(int capacity) {
        this.capacity = capacity;
    }

    /** Every frame written so far, in order. */
    synchronized List<String> frames() {
        return List.copyOf(written);
    }

    synchronized Integer closeCode() {
        return closeCode;
    }

    @Override
    public synchronized void start(String first) {
        written.add(first);
        written.addAll(held);
        held.clear();
        started = true;
    }

    @Override
    public void whenDrained(int frames, Runnable then) {
        then.run(); // frames are written at once: the outbox is always drained
    }

    @Override
    public boolean offer(String frame) {
        return enqueue(frame);
    }

    @Override
    public synchronized boolean enqueue(String frame) {
        if (closeCode != null) return false;
        if (!started) {
            if (held.size() >= capacity) return false;
            held.add(frame);
        } else {
            written.add(frame);
        }
        return true;
    }

    @Override
    public boolean enqueueShared(ByteBuffer utf8) {
        return enqueue(StandardCharsets.UTF_8.decode(utf8.duplicate()).toString());
    }

    @Override public void flush() {}

    @Override public int queued() { return 0; }

    @Override public long bytesReceived() { return -1; }

    @Override public void ping() {}

    @Override
    public synchronized void close(int code, String reason, boolean discardQueued) {
        if (closeCode == null) closeCode = code;
    }
}
