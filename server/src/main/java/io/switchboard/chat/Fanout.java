package io.switchboard.chat;

import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery to this node's connections, in position order. For each loaded room it keeps the last seq delivered here
 * ({@link Room#lastSeq()}), and for each user with connections here the last DM stream position delivered; a
 * committed message (from this node or, in a cluster, from another) is delivered only at the next position. One
 * that arrives ahead of it reveals a gap — a publication lost or still on its way — and the connections concerned
 * read the missing range from the store through their catch-up before getting anything live again; one at or below
 * it is a duplicate and dropped. Catch-up is paged and flow-controlled by each connection's outbox, so a backlog of
 * any size never overflows it. Frames are queued per connection and written by {@link #flushWrites()}.
 * Sequencer thread only.
 */
final class Fanout {
    private static final Logger log = LoggerFactory.getLogger(Fanout.class);
    /** Most backlog frames read and queued for one connection at a time. */
    private static final int CATCH_UP_PAGE = 200;
    /** At most this many connections are flushed on the sequencer thread itself; more go to the writer pool. */
    private static final int INLINE_FLUSH = 8;
    /** Fewest connections per writer-pool task: smaller chunks would cost more in hand-offs than they save. */
    private static final int MIN_CHUNK = 16;
    /** Most messages held per room while waiting for the seqs before them; beyond it the store is read at once. */
    static final int EARLY_MAX = 1000;

    private final ChatStore store;
    private final Hub hub;
    private final FrameCodec codec;
    private final Metrics metrics;
    private final int outboxCapacity;
    private final Executor writers;
    private final int writerThreads;
    private final Consumer<Connection> continueCatchUp;
    /** Asks for {@link #gapExpired} on the named room once the wait for its missing seqs is over. */
    private final Consumer<String> gapCheck;
    private final long gapWaitNanos;
    private final List<Connection> toFlush = new ArrayList<>();
    /** Last DM stream position delivered here, per user with connections here. */
    private final Map<String, Long> dmDelivered = new HashMap<>();

    /**
     * @param outboxCapacity  frames one connection's outbox holds; catch-up keeps below half of it
     * @param continueCatchUp queues the next catch-up step of a connection once its outbox drained (any thread)
     * @param gapCheck        arranges for {@link #gapExpired} on a room after the gap wait ({@code cluster.gap.wait})
     */
    Fanout(ChatStore store, Hub hub, FrameCodec codec, Metrics metrics, int outboxCapacity, Executor writers,
           int writerThreads, Consumer<Connection> continueCatchUp, Consumer<String> gapCheck, long gapWaitNanos) {
        this.gapCheck = gapCheck;
        this.gapWaitNanos = gapWaitNanos;
        this.store = store;
        this.hub = hub;
        this.codec = codec;
        this.metrics = metrics;
        this.outboxCapacity = outboxCapacity;
        this.writers = writers;
        this.writerThreads = writerThreads;
        this.continueCatchUp = continueCatchUp;
    }

    // --- rooms -------------------------------------------------------------------------------------------------

    /**
     * Delivers a committed room message to the room's members here; returns how many took it live (0 for a
     * duplicate, or one held until the seqs before it arrive).
     *
     * <p>A message ahead of the next seq is usually just early: when two nodes write to one room, each commits in
     * seq order but their publications cross. So it is held (at most {@link #EARLY_MAX} per room) until the missing
     * seqs arrive, which then releases everything in order; only when they have not come within {@code gapWait}
     * (lost, e.g. Redis restarted) do the members read the range from the store.
     */
    int roomMessage(Room room, ServerFrame.Message m) {
        long delivered = room.lastSeq();
        if (m.seq() <= delivered) return 0;
        if (m.seq() > delivered + 1) {
            boolean first = room.early.isEmpty();
            if (first) room.earlySince = System.nanoTime();
            room.early.put(m.seq(), m);
            if (room.early.size() > EARLY_MAX) {
                gapExpired(room);
            } else if (first) {
                gapCheck.accept(room.name());
            }
            return 0;
        }
        room.advance(m.seq(), m.ts());
        int reached = fanOutSequenced(room, ByteBuffer.wrap(codec.encodeUtf8(live(m))));
        // Release what was held behind it, as far as it is now consecutive.
        while (!room.early.isEmpty()) {
            var next = room.early.firstEntry();
            if (next.getKey() <= room.lastSeq()) {
                room.early.pollFirstEntry();
            } else if (next.getKey() == room.lastSeq() + 1) {
                room.early.pollFirstEntry();
                ServerFrame.Message held = next.getValue();
                room.advance(held.seq(), held.ts());
                reached += fanOutSequenced(room, ByteBuffer.wrap(codec.encodeUtf8(live(held))));
            } else {
                break;
            }
        }
        return reached;
    }

    /** A gap wait scheduled for the room is over: reads the store if the room has waited long enough, else waits on. */
    void gapWaitOver(Room room) {
        if (room.early.isEmpty()) return;
        if (System.nanoTime() - room.earlySince < gapWaitNanos) gapCheck.accept(room.name()); // a later gap's turn
        else gapExpired(room);
    }

    /**
     * The wait for a room's missing seqs ran out (or too much is held): what is held, and everything before it, is
     * read from the store by each member's catch-up. No-op when nothing is held any more.
     */
    void gapExpired(Room room) {
        if (room.early.isEmpty()) return;
        ServerFrame.Message last = room.early.lastEntry().getValue();
        room.early.clear();
        roomAdvancedTo(room, last.seq(), last.ts());
    }

    /**
     * The store holds the room up to {@code seq}, beyond what was delivered here: every member not already catching
     * up reads the range from the store. No-op when {@code seq} was delivered.
     */
    void roomAdvancedTo(Room room, long seq, long ts) {
        long delivered = room.lastSeq();
        if (seq <= delivered) return;
        room.early.headMap(seq, true).clear(); // read from the store with the rest
        metrics.gapsFilled.mark();
        log.debug("Room {}: positions {}..{} arrived out of order or not at all; reading them from the store",
                room.name(), delivered + 1, seq);
        room.advance(seq, ts);
        List<Connection> behind = new ArrayList<>();
        room.forEachConnection(c -> {
            if (c.catchUp != null && c.catchUp.isCatchingUp(room.name())) return; // reads up to the new end anyway
            c.catchUpState().addRoom(room.name(), delivered);
            behind.add(c);
        });
        for (Connection c : behind) catchUp(c);
    }

    /** The frame a member gets for a stored message: operator broadcasts go out as system notices. */
    private static ServerFrame live(ServerFrame.Message m) {
        return Boolean.TRUE.equals(m.system()) ? new ServerFrame.SystemNotice(m.text(), m.room(), m.seq(), m.ts()) : m;
    }

    /**
     * Queues one encoded frame that carries a room seq for every connection in the room, except those still catching
     * up on the room (their catch-up reads it from the store, in order); returns how many took it.
     */
    private int fanOutSequenced(Room room, ByteBuffer encoded) {
        int[] reached = {0};
        room.forEachConnection(c -> {
            if (c.catchUp != null && c.catchUp.isCatchingUp(room.name())) return;
            if (deliver(c, encoded)) reached[0]++;
        });
        metrics.messagesOut.mark(reached[0]);
        return reached[0];
    }

    /** Queues one frame without a position (presence, deletions) for every connection in the room but {@code except}'s. */
    int roomFrame(Room room, ServerFrame frame, String exceptUser) {
        ByteBuffer encoded = ByteBuffer.wrap(codec.encodeUtf8(frame));
        int[] reached = {0};
        room.forEachConnection(c -> {
            if (exceptUser != null && exceptUser.equals(c.user())) return;
            if (deliver(c, encoded)) reached[0]++;
        });
        metrics.messagesOut.mark(reached[0]);
        return reached[0];
    }

    // --- DM streams ----------------------------------------------------------------------------------------------

    /** A connection of {@code user} opened here; {@code stored} is the stream's last position in the store. */
    void userOpened(String user, long stored) {
        Long delivered = dmDelivered.get(user);
        if (delivered == null) {
            dmDelivered.put(user, stored);
        } else if (stored > delivered) {
            dmAdvancedTo(user, stored);
        }
    }

    /** The user's last connection here closed. */
    void userClosed(String user) {
        dmDelivered.remove(user);
    }

    /** Last DM stream position delivered to the user's connections here, -1 when none are here. */
    long dmDelivered(String user) {
        Long delivered = dmDelivered.get(user);
        return delivered == null ? -1 : delivered;
    }

    /** Users with connections here, for the position check. */
    Iterable<String> users() {
        return List.copyOf(dmDelivered.keySet());
    }

    /** Delivers a committed entry of {@code owner}'s DM stream to their live connections here; returns how many took it. */
    int directEntry(String owner, ServerFrame.DirectMessage m) {
        Long delivered = dmDelivered.get(owner);
        if (delivered == null || m.seq() <= delivered) return 0;
        if (m.seq() > delivered + 1) {
            dmAdvancedTo(owner, m.seq());
            return 0;
        }
        dmDelivered.put(owner, m.seq());
        ByteBuffer encoded = ByteBuffer.wrap(codec.encodeUtf8(m));
        int reached = 0;
        for (Connection c : hub.connectionsOf(owner)) if (c.dmLive && deliver(c, encoded)) reached++;
        metrics.messagesOut.mark(reached);
        return reached;
    }

    /** Like {@link #roomAdvancedTo} for a DM stream. */
    void dmAdvancedTo(String owner, long seq) {
        Long delivered = dmDelivered.get(owner);
        if (delivered == null || seq <= delivered) return;
        metrics.gapsFilled.mark();
        dmDelivered.put(owner, seq);
        for (Connection c : hub.connectionsOf(owner)) {
            if (!c.dmLive) continue; // still catching up: reads up to the new end anyway
            c.dmLive = false;
            c.catchUpState().addDms(delivered);
            catchUp(c);
        }
    }

    // --- catch-up ------------------------------------------------------------------------------------------------

    /**
     * Queues the next part of the connection's backlog (DM stream first, then rooms in join order): at most enough to
     * fill half its outbox, read from the store in pages, and never beyond what was delivered live here. What is left
     * waits until the outbox has drained to a quarter ({@link Command.ContinueCatchUp}). A backlog that reaches the
     * live position turns live in the same step, so no message falls between the two.
     */
    void catchUp(Connection conn) {
        CatchUp state = conn.catchUp;
        if (state == null || conn.isClosed()) return;
        int budget = outboxCapacity / 2 - conn.queued();
        try (var db = store.transaction()) {
            while (budget > 0 && !state.isDone()) {
                int want = Math.min(budget, CATCH_UP_PAGE);
                if (state.dmsAfter() >= 0) {
                    long end = dmDelivered(conn.user());
                    List<ServerFrame.DirectMessage> page = state.dmsAfter() >= end ? List.of()
                            : store.dmsFrom(db, conn.user(), state.dmsAfter(), want);
                    for (ServerFrame.DirectMessage m : page) {
                        if (m.seq() > end) break;
                        if (!deliver(conn, codec.encode(m))) return;
                        state.dmsSent(m.seq());
                    }
                    budget -= page.size();
                    if (page.size() < want || state.dmsAfter() >= end) {
                        state.dmsDone();
                        conn.dmLive = true;
                    }
                } else {
                    String name = state.nextRoom();
                    Room room = hub.room(name);
                    if (room == null || !room.contains(conn)) {
                        state.roomDone(name);
                        continue;
                    }
                    long end = room.lastSeq();
                    List<ServerFrame.Message> page = state.roomAfter(name) >= end ? List.of()
                            : store.messagesFrom(db, name, state.roomAfter(name), want);
                    for (ServerFrame.Message m : page) {
                        if (m.seq() > end) break;
                        if (!deliver(conn, codec.encode(m))) return;
                        state.roomSent(name, m.seq());
                    }
                    budget -= page.size();
                    if (page.size() < want || state.roomAfter(name) >= end) state.roomDone(name);
                }
            }
            db.commit();
        } catch (SQLException e) {
            log.warn("Catch-up of connection {} failed; closing it so that the client resumes: {}", conn.id(), e.toString());
            conn.close(CloseCodes.TRY_AGAIN_LATER, "unavailable");
            return;
        }
        if (state.isDone()) {
            conn.catchUp = null;
        } else {
            conn.whenDrained(outboxCapacity / 4, () -> continueCatchUp.accept(conn));
        }
    }

    // --- queueing and writing ------------------------------------------------------------------------------------

    /** Queues a frame for one connection (answers, acks, errors). */
    void send(Connection c, ServerFrame frame) {
        if (frame instanceof ServerFrame.Error e) metrics.error(e.code());
        deliver(c, codec.encode(frame));
    }

    /** Queues a frame for a connection; it is written by {@link #flushWrites()}. */
    boolean deliver(Connection c, String encoded) {
        return toBeFlushed(c, c.enqueue(encoded));
    }

    private boolean deliver(Connection c, ByteBuffer shared) {
        return toBeFlushed(c, c.enqueue(shared));
    }

    private boolean toBeFlushed(Connection c, boolean queued) {
        if (queued && !c.awaitingFlush) {
            c.awaitingFlush = true;
            toFlush.add(c);
        }
        return queued;
    }

    /**
     * Writes everything queued since the last call. A few connections (acks, a join's answer) are written here; a
     * fan-out goes to the writer pool, split into chunks, so that this thread goes straight on to the next batch
     * instead of waiting for socket writes. Each connection's frames stay in order: they sit in its outbox in the
     * order this thread queued them, whichever thread writes them.
     */
    void flushWrites() {
        int n = toFlush.size();
        if (n == 0) return;
        Connection[] all = toFlush.toArray(new Connection[0]);
        toFlush.clear();
        for (Connection c : all) c.awaitingFlush = false;
        if (n <= INLINE_FLUSH) {
            for (Connection c : all) c.flush();
            return;
        }
        int chunks = Math.min(writerThreads, (n + MIN_CHUNK - 1) / MIN_CHUNK);
        int per = (n + chunks - 1) / chunks;
        for (int from = 0; from < n; from += per) {
            int start = from;
            int end = Math.min(n, from + per);
            writers.execute(() -> {
                for (int i = start; i < end; i++) all[i].flush();
            });
        }
    }
}
