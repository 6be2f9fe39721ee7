package io.switchboard.chat;

import io.switchboard.auth.ClientPrincipal;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.CloseCodes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One live WebSocket connection of a user: identity, counters, rooms and its outbox. */
public final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private final String id;
    private final ClientPrincipal principal;
    private final String remoteAddress;
    private final String userAgent;
    private final long connectedAt;
    private final Peer peer;
    private final Consumer<Connection> onClosed;
    private final Metrics metrics;
    final TokenBucket rate;
    final TokenBucket violations;

    /** Rooms this connection asked to join, updated at once so a send right after a join is accepted. */
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastActivity;
    /**
     * Set by the sequencer once this connection receives the user's DM stream live (after its catch-up, if it asked
     * for one); until then new DMs reach it through the catch-up, in order.
     */
    volatile boolean dmLive;
    /** Sequencer-thread only: the backlog still to be sent from the store; null when everything is live. */
    CatchUp catchUp;
    /** Sequencer-thread only: already in the sequencer's list of connections to flush. */
    boolean awaitingFlush;
    /** Timer-thread only: the received byte count at the last liveness check, and when it last changed. */
    private long bytesSeenAtCheck = -1;
    private long lastHeard;

    public Connection(String id, ClientPrincipal principal, String remoteAddress, String userAgent, long now,
                      Peer peer, Limits limits, Metrics metrics, Consumer<Connection> onClosed) {
        this.id = id;
        this.principal = principal;
        this.remoteAddress = remoteAddress;
        this.userAgent = userAgent;
        this.connectedAt = now;
        this.lastActivity = now;
        this.lastHeard = now;
        this.peer = peer;
        this.onClosed = onClosed;
        this.metrics = metrics;
        long nanos = System.nanoTime();
        this.rate = new TokenBucket(limits.ratePerSecond(), limits.burst(), nanos);
        this.violations = new TokenBucket(limits.violationsPerMinute() / 60.0, limits.violationsPerMinute(), nanos);
    }

    public String id() { return id; }
    public String user() { return principal.user(); }
    public ClientPrincipal principal() { return principal; }
    public String remoteAddress() { return remoteAddress; }
    public String userAgent() { return userAgent; }
    public long connectedAt() { return connectedAt; }
    public long lastActivity() { return lastActivity; }
    public long framesIn() { return framesIn.get(); }
    public long framesOut() { return framesOut.get(); }
    public int queued() { return peer.queued(); }
    public Set<String> rooms() { return Set.copyOf(rooms); }
    public boolean isClosed() { return closed.get(); }

    void received(long now) {
        framesIn.incrementAndGet();
        lastActivity = now;
    }

    /**
     * Queues an encoded frame; never blocks. A full outbox means the client does not read fast enough: it is
     * closed as a slow consumer so that it cannot hold back anyone else.
     */
    public boolean deliver(String frame) {
        if (!enqueue(frame)) return false;
        peer.flush();
        return true;
    }

    /**
     * Liveness check, run every {@link ChatService#checkPeriod(java.time.Duration) check period} from the timer
     * thread only: a connection whose token expired, or from which nothing at all (not even a pong) arrived for more
     * than {@code timeoutMillis}, is closed. "Heard" is the check at which the received byte count was first seen to
     * change, never earlier than the bytes really arrived: a connection is never closed before the timeout, and at
     * most two check periods after it.
     *
     * @return true when this check closed the connection
     */
    boolean checkLiveness(long now, long timeoutMillis) {
        if (closed.get()) return false;
        if (principal.expired(now)) { // the same rule, leeway included, as at connect
            close(CloseCodes.TOKEN_EXPIRED, "token_expired"); // reconnect with a fresh token, then resume
            return true;
        }
        long in = peer.bytesReceived();
        if (in != bytesSeenAtCheck) {
            bytesSeenAtCheck = in;
            lastHeard = now;
        } else if (in >= 0 && now - lastHeard > timeoutMillis) {
            close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat_timeout");
            return true;
        }
        return false;
    }

    /** Sends a WebSocket ping; the client's pong is what {@link #checkLiveness} hears. Timer thread only. */
    void ping() {
        if (!closed.get()) peer.ping();
    }

    /**
     * Queues a frame without writing it yet; the caller flushes later (the sequencer gathers a whole batch of
     * frames per connection and writes them together, off its own thread).
     */
    boolean enqueue(String frame) {
        return !closed.get() && queued(peer.enqueue(frame));
    }

    /**
     * Like {@link #enqueue(String)} for a frame encoded once and shared by every recipient of a fan-out. The caller
     * marks the {@code messagesOut} meter once for the whole fan-out (a meter mark per recipient was measurable).
     */
    boolean enqueue(java.nio.ByteBuffer sharedUtf8) {
        return !closed.get() && queued(peer.enqueueShared(sharedUtf8), false);
    }

    private boolean queued(boolean accepted) {
        return queued(accepted, true);
    }

    private boolean queued(boolean accepted, boolean mark) {
        if (accepted) {
            framesOut.incrementAndGet();
            if (mark) metrics.messagesOut.mark();
            return true;
        }
        metrics.slowConsumers.mark();
        closeNow(CloseCodes.SLOW_CONSUMER, "slow_consumer", true);
        return false;
    }

    void flush() {
        peer.flush();
    }

    /** Sequencer thread: this connection's catch-up state, created on first use. */
    CatchUp catchUpState() {
        if (catchUp == null) catchUp = new CatchUp();
        return catchUp;
    }

    /** Starts writing, with {@code welcome} as the first frame the client sees. */
    void start(String welcome) {
        peer.start(welcome);
    }

    /** Runs {@code then} (once) when at most {@code frames} frames are left queued; see {@link Peer#whenDrained}. */
    void whenDrained(int frames, Runnable then) {
        peer.whenDrained(frames, then);
    }

    /**
     * An operator disconnects this connection: the given notice (a {@code kicked} frame) is written, then the close.
     * Returns false when the connection was already closed.
     */
    public boolean kick(String encodedNotice, int code, String reason) {
        if (closed.get()) return false;
        peer.offer(encodedNotice);
        close(code, reason);
        return true;
    }

    /** Closes after the frames already queued (such as a last notice) and runs the clean-up once. */
    public void close(int code, String reason) {
        closeNow(code, reason, false);
    }

    private void closeNow(int code, String reason, boolean discardQueued) {
        if (closed.compareAndSet(false, true)) {
            // Shutdowns and drains close every connection: one summary line says so, not one line each.
            if (code != CloseCodes.GOING_AWAY && code != CloseCodes.SERVICE_RESTART) {
                log.info("Closing connection {} of user {} from {}: {} {}", id, user(), remoteAddress, code, reason);
            }
            peer.close(code, reason, discardQueued);
            onClosed.accept(this);
        }
    }

    /** The transport closed by itself (client close, network error, idle timeout). */
    public void transportClosed() {
        if (closed.compareAndSet(false, true)) onClosed.accept(this);
    }
}
