package io.switchboard.chat;

import com.codahale.metrics.Timer;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of chat state. One thread takes commands in arrival order, assigns room and direct-message
 * sequence numbers, writes them in batched transactions, and only after the commit acks the senders and fans the
 * frames out. Because every room mutation and every fan-out happens here, members see a room's messages in seq
 * order and a join with {@code since} is replayed without gaps or duplicates.
 */
public final class Sequencer {
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);
    private static final int SYNC_PAGE = 500;
    /** At most this many connections are flushed on the sequencer thread itself; more go to the writer pool. */
    private static final int INLINE_FLUSH = 8;
    /** Fewest connections per writer-pool task: smaller chunks would cost more in hand-offs than they save. */
    private static final int MIN_CHUNK = 16;

    /** Work for the sequencer. */
    public sealed interface Command {}

    /** {@code receivedNanos}: when the frame arrived, for the send-to-deliver latency. */
    public record Publish(Connection from, String id, String room, String text, long receivedNanos) implements Command {}

    public record Direct(Connection from, String id, String to, String text) implements Command {}

    public record Join(Connection conn, String frameId, String room, Long since) implements Command {}

    public record Leave(Connection conn, String frameId, String room) implements Command {}

    public record Disconnect(Connection conn) implements Command {}

    public record SyncDirect(Connection conn) implements Command {}

    /** An operator's message to a room, stored in its history; completes with the connections reached. */
    public record BroadcastRoom(String room, String text, CompletableFuture<Integer> result) implements Command {}

    /** Moderation: blanks a message and tells the members; completes with false when there is no such message. */
    public record DeleteMessage(String room, long seq, CompletableFuture<Boolean> result) implements Command {}

    /** Closes (removing every connection) or reopens a room; completes with the connections removed, -1 if no room. */
    public record SetRoomClosed(String room, boolean closed, CompletableFuture<Integer> result) implements Command {}

    /** Creates a room; completes with false when it already exists. */
    public record CreateRoom(String room, CompletableFuture<Boolean> result) implements Command {}

    private final ChatStore store;
    private final Hub hub;
    private final FrameCodec codec;
    private final Limits limits;
    private final Metrics metrics;
    private final int batchSize;
    private final int capacity;
    private final LinkedBlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final List<Connection> toFlush = new ArrayList<>();
    private final java.util.concurrent.Executor writers;
    private final int writerThreads;
    private final AtomicInteger clientCommands = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopping;
    private long directSeq;
    private final Set<Room> staleRooms = new java.util.HashSet<>();
    /** Users with direct messages stored undelivered (loaded at start, kept here): only their connects need a query. */
    private final Set<String> awaitingSync = new java.util.HashSet<>();
    private final List<String> storedForLater = new ArrayList<>();
    private boolean directSeqStale;

    public Sequencer(ChatStore store, Hub hub, FrameCodec codec, Limits limits, Metrics metrics, int batchSize, int capacity,
                     java.util.concurrent.Executor writers, int writerThreads) {
        this.writers = writers;
        this.writerThreads = writerThreads;
        this.store = store;
        this.hub = hub;
        this.codec = codec;
        this.limits = limits;
        this.metrics = metrics;
        this.batchSize = batchSize;
        this.capacity = capacity;
        this.thread = new Thread(this::run, "switchboard-sequencer");
    }

    public void start() throws SQLException {
        try (var db = store.transaction()) {
            directSeq = store.maxDirectSeq(db);
            awaitingSync.addAll(store.usersWithUndelivered(db));
            db.commit();
        }
        thread.start();
    }

    /** Queues a client's command; false when the queue is full or the server is stopping (answer "busy"). */
    public boolean submit(Command c) {
        if (stopping) return false;
        if (clientCommands.incrementAndGet() > capacity) {
            clientCommands.decrementAndGet();
            return false;
        }
        queue.add(c);
        return true;
    }

    /**
     * Queues connection bookkeeping (disconnect, offline sync) and operator commands; never refused, so no
     * connection is left in a room and no admin call is dropped.
     */
    public void submitInternal(Command c) {
        if (!isInternal(c)) throw new IllegalArgumentException("client commands go through submit()");
        queue.add(c);
    }

    private static boolean isInternal(Command c) {
        return c instanceof Disconnect || c instanceof SyncDirect || c instanceof BroadcastRoom
                || c instanceof DeleteMessage || c instanceof SetRoomClosed || c instanceof CreateRoom;
    }

    public int queued() {
        return queue.size();
    }

    /** Stops taking client commands, writes everything queued, and waits for the thread up to the timeout. */
    public boolean drainAndStop(long timeoutMillis) throws InterruptedException {
        stopping = true;
        thread.join(timeoutMillis);
        return !thread.isAlive();
    }

    private void run() {
        List<Command> batch = new ArrayList<>(batchSize);
        while (true) {
            Command first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                if (stopping) return;
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, batchSize - 1);
            try {
                process(batch);
            } catch (RuntimeException e) {
                log.error("Sequencer failed on a batch of {} command(s)", batch.size(), e); // the thread must live on
            } finally {
                flushWrites();
            }
            int client = 0;
            for (Command c : batch) if (!isInternal(c)) client++;
            clientCommands.addAndGet(-client);
            batch.clear();
        }
    }

    private void process(List<Command> commands) {
        Pending pending = new Pending();
        for (Command c : commands) {
            try {
                if (c instanceof Publish p) {
                    pending.publishes.add(p);
                } else if (c instanceof Direct d) {
                    pending.directs.add(d);
                } else if (c instanceof Disconnect d) {
                    disconnect(d.conn());
                } else {
                    // Everything else reads or changes what pending messages depend on: commit those first.
                    // (Pending membership changes may wait: nothing below reads them.)
                    if (pending.hasMessages()) flush(pending);
                    if (c instanceof Join j) {
                        join(j, pending);
                    } else if (c instanceof Leave l) {
                        leave(l, pending);
                    } else if (c instanceof SyncDirect s) {
                        syncDirect(s.conn());
                    } else {
                        operate(c);
                    }
                    flushWrites();
                }
            } catch (RuntimeException e) {
                log.error("Sequencer failed on {}; continuing with the next command", c.getClass().getSimpleName(), e);
            }
        }
        flush(pending);
        flushWrites();
    }

    private record Membership(String room, String user, boolean joined) {}

    /** Writes collected since the last flush. */
    private static final class Pending {
        final List<Publish> publishes = new ArrayList<>();
        final List<Direct> directs = new ArrayList<>();
        /** Joins and leaves to store, in the order they happened. */
        final List<Membership> memberships = new ArrayList<>();

        boolean hasMessages() {
            return !publishes.isEmpty() || !directs.isEmpty();
        }

        boolean isEmpty() {
            return !hasMessages() && memberships.isEmpty();
        }

        void clear() {
            publishes.clear();
            directs.clear();
            memberships.clear();
        }
    }

    /** What to tell whom once the batch committed, in arrival order. */
    private sealed interface Outcome {}

    private record Fresh(Connection from, Room room, ServerFrame.Message message, long receivedNanos) implements Outcome {}

    private record FreshDirect(Connection from, List<Connection> recipients, ServerFrame.DirectMessage message) implements Outcome {}

    private record Duplicate(Connection to, ServerFrame.Ack ack) implements Outcome {}

    private record Refused(Connection to, ServerFrame.Error error) implements Outcome {}

    private void flush(Pending pending) {
        if (pending.isEmpty()) return;
        long now = System.currentTimeMillis();
        List<Outcome> outcomes = new ArrayList<>(pending.publishes.size() + pending.directs.size());
        Map<Room, Long> seqs = new LinkedHashMap<>();
        storedForLater.clear();
        long nextDirect;
        Timer.Context persisting = metrics.persistLatency.time();
        try (var db = store.transaction()) {
            try {
                resyncIfStale(db);
                nextDirect = directSeq;
                List<ServerFrame.Message> messages = sequenceRoomMessages(db, pending.publishes, now, seqs, outcomes);
                List<ServerFrame.DirectMessage> directs = new ArrayList<>();
                List<Boolean> delivered = new ArrayList<>();
                nextDirect = sequenceDirectMessages(db, pending.directs, now, nextDirect, directs, delivered, outcomes);
                if (!messages.isEmpty()) {
                    store.insertMessages(db, messages);
                    for (var e : seqs.entrySet()) store.updateRoomSeq(db, e.getKey().name(), e.getValue(), now);
                }
                if (!directs.isEmpty()) store.insertDirect(db, directs, delivered);
                for (Membership m : pending.memberships) {
                    if (m.joined()) store.addMembership(db, m.room(), m.user(), now);
                    else store.removeMembership(db, m.room(), m.user());
                }
                db.commit();
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            // Whether or not the commit happened, the senders retry with the same ids and dedup sorts it out;
            // the counters are re-read from the database before the next write.
            log.warn("Write of {} message(s) failed; senders are told to retry: {}",
                    pending.publishes.size() + pending.directs.size(), e.toString());
            staleRooms.addAll(seqs.keySet());
            directSeqStale = true;
            refuseAll(pending);
            pending.clear();
            return;
        }
        persisting.stop();
        seqs.forEach((room, seq) -> room.advance(seq, now));
        directSeq = nextDirect;
        awaitingSync.addAll(storedForLater);
        pending.clear();
        dispatch(outcomes);
        flushWrites();
    }

    private void resyncIfStale(java.sql.Connection db) throws SQLException {
        for (Room room : staleRooms) {
            ChatStore.RoomRow row = store.findRoom(db, room.name());
            if (row != null) room.advance(row.lastSeq(), row.lastActivity());
        }
        staleRooms.clear();
        if (directSeqStale) {
            directSeq = store.maxDirectSeq(db);
            directSeqStale = false;
        }
    }

    private List<ServerFrame.Message> sequenceRoomMessages(java.sql.Connection db, List<Publish> publishes, long now,
                                                           Map<Room, Long> seqs, List<Outcome> outcomes) throws SQLException {
        if (publishes.isEmpty()) return List.of();
        Set<ChatStore.Key> keys = new LinkedHashSet<>();
        for (Publish p : publishes) keys.add(new ChatStore.Key(p.id(), p.from().user()));
        Map<ChatStore.Key, ServerFrame.Message> known = new HashMap<>(store.findMessages(db, keys));
        List<ServerFrame.Message> fresh = new ArrayList<>();
        for (Publish p : publishes) {
            ChatStore.Key key = new ChatStore.Key(p.id(), p.from().user());
            ServerFrame.Message prior = known.get(key);
            if (prior != null) {
                outcomes.add(new Duplicate(p.from(), new ServerFrame.Ack(p.id(), prior.room(), null, prior.seq(), prior.ts(), true)));
                continue;
            }
            Room room = hub.room(p.room());
            if (room == null || !room.contains(p.from())) {
                outcomes.add(new Refused(p.from(), new ServerFrame.Error(ErrorCode.NOT_JOINED.wire(),
                        "join room '" + p.room() + "' before sending to it", p.id())));
                continue;
            }
            long seq = seqs.getOrDefault(room, room.lastSeq()) + 1;
            seqs.put(room, seq);
            ServerFrame.Message m = new ServerFrame.Message(room.name(), seq, p.id(), p.from().user(),
                    p.from().principal().name(), p.text(), now);
            fresh.add(m);
            known.put(key, m);
            outcomes.add(new Fresh(p.from(), room, m, p.receivedNanos()));
        }
        return fresh;
    }

    private long sequenceDirectMessages(java.sql.Connection db, List<Direct> directs, long now, long nextSeq,
                                        List<ServerFrame.DirectMessage> fresh, List<Boolean> delivered,
                                        List<Outcome> outcomes) throws SQLException {
        if (directs.isEmpty()) return nextSeq;
        Set<ChatStore.Key> keys = new LinkedHashSet<>();
        for (Direct d : directs) keys.add(new ChatStore.Key(d.id(), d.from().user()));
        Map<ChatStore.Key, ServerFrame.DirectMessage> known = new HashMap<>(store.findDirect(db, keys));
        for (Direct d : directs) {
            ChatStore.Key key = new ChatStore.Key(d.id(), d.from().user());
            ServerFrame.DirectMessage prior = known.get(key);
            if (prior != null) {
                outcomes.add(new Duplicate(d.from(), new ServerFrame.Ack(d.id(), null, prior.to(), prior.seq(), prior.ts(), true)));
                continue;
            }
            ServerFrame.DirectMessage m = new ServerFrame.DirectMessage(++nextSeq, d.id(), d.from().user(),
                    d.from().principal().name(), d.to(), d.text(), now);
            // Whoever is online now receives it live; the stored flag keeps offline sync from sending it again. While
            // none of the recipient's connections has had its offline sync, the message waits for that sync, so
            // that older stored messages are not overtaken.
            List<Connection> online = hub.connectionsOf(d.to());
            List<Connection> recipients = online.stream().anyMatch(c -> c.directSynced) ? online : List.of();
            fresh.add(m);
            delivered.add(!recipients.isEmpty());
            if (recipients.isEmpty()) storedForLater.add(m.to());
            known.put(key, m);
            outcomes.add(new FreshDirect(d.from(), recipients, m));
        }
        return nextSeq;
    }

    private void dispatch(List<Outcome> outcomes) {
        for (Outcome o : outcomes) {
            if (o instanceof Fresh f) {
                ServerFrame.Message m = f.message();
                send(f.from(), new ServerFrame.Ack(m.id(), m.room(), null, m.seq(), m.ts(), null));
                ByteBuffer encoded = ByteBuffer.wrap(codec.encodeUtf8(m)); // once per fan-out, shared by every recipient
                metrics.deliveries.mark(fanOut(f.room(), encoded));
                metrics.deliveryLatency.update(System.nanoTime() - f.receivedNanos(), TimeUnit.NANOSECONDS);
                hub.events().messageStored(m);
            } else if (o instanceof FreshDirect f) {
                ServerFrame.DirectMessage m = f.message();
                send(f.from(), new ServerFrame.Ack(m.id(), null, m.to(), m.seq(), m.ts(), null));
                ByteBuffer encoded = ByteBuffer.wrap(codec.encodeUtf8(m));
                Set<Connection> targets = new LinkedHashSet<>(f.recipients());
                for (Connection c : hub.connectionsOf(m.from())) if (c.directSynced) targets.add(c);
                int reached = 0;
                for (Connection c : targets) if (deliver(c, encoded)) reached++;
                metrics.deliveries.mark(reached);
            } else if (o instanceof Duplicate d) {
                send(d.to(), d.ack());
            } else if (o instanceof Refused r) {
                send(r.to(), r.error());
            }
        }
    }

    /** Queues one encoded frame for every connection in the room; returns how many took it. */
    private int fanOut(Room room, ByteBuffer encoded) {
        int[] reached = {0};
        room.forEachConnection(c -> {
            if (deliver(c, encoded)) reached[0]++;
        });
        return reached[0];
    }

    /** Queues a frame for a connection; it is written by {@link #flushWrites()}. */
    private boolean deliver(Connection c, String encoded) {
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
    private void flushWrites() {
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

    private void refuseAll(Pending pending) {
        for (Publish p : pending.publishes) send(p.from(), unavailable(p.id()));
        for (Direct d : pending.directs) send(d.from(), unavailable(d.id()));
    }

    private static ServerFrame.Error unavailable(String id) {
        return new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "message not stored, retry with the same id", id);
    }

    private void send(Connection c, ServerFrame frame) {
        if (frame instanceof ServerFrame.Error e) metrics.error(e.code());
        deliver(c, codec.encode(frame));
    }

    // --- membership ----------------------------------------------------------------------------------------------

    private void join(Join j, Pending pending) {
        Connection conn = j.conn();
        if (conn.isClosed()) return;
        try {
            Room room = hub.room(j.room());
            if (room == null) {
                ChatStore.RoomRow row = findOrCreateRoom(j.room());
                if (row == null || row.closed()) {
                    conn.rooms.remove(j.room());
                    send(conn, row == null
                            ? new ServerFrame.Error(ErrorCode.ROOM_NOT_FOUND.wire(), "room '" + j.room() + "' does not exist", j.frameId())
                            : new ServerFrame.Error(ErrorCode.ROOM_CLOSED.wire(), "room '" + j.room() + "' is closed", j.frameId()));
                    return;
                }
                room = new Room(row.name(), row.lastSeq(), row.lastActivity());
                hub.putRoom(room);
            }
            List<ServerFrame.Message> replay = List.of();
            boolean hasMore = false;
            if (j.since() != null && j.since() < room.lastSeq()) {
                try (var db = store.transaction()) {
                    replay = store.messagesAfter(db, room.name(), j.since(), limits.replayMax() + 1);
                    db.commit();
                }
                if (replay.size() > limits.replayMax()) {
                    hasMore = true;
                    replay = replay.subList(1, replay.size());
                }
            }
            boolean firstOfUser = room.add(conn);
            metrics.joins.mark();
            hub.events().joined(conn, room.name());
            send(conn, new ServerFrame.Joined(j.frameId(), room.name(), room.lastSeq(), room.onlineUsers(),
                    j.since() == null ? null : replay.size(), j.since() == null ? null : hasMore,
                    replay.isEmpty() ? null : replay.get(0).seq()));
            for (ServerFrame.Message m : replay) send(conn, m);
            if (firstOfUser) {
                ByteBuffer presence = ByteBuffer.wrap(codec.encodeUtf8(new ServerFrame.Presence(room.name(), conn.user(), "join")));
                room.forEachConnection(c -> {
                    if (!c.user().equals(conn.user())) deliver(c, presence);
                });
                pending.memberships.add(new Membership(room.name(), conn.user(), true));
            }
        } catch (SQLException e) {
            log.warn("Join of {} to room {} failed: {}", conn.user(), j.room(), e.toString());
            conn.rooms.remove(j.room());
            Room loaded = hub.room(j.room());
            if (loaded != null) hub.dropRoomIfEmpty(loaded);
            send(conn, new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "join failed, retry", j.frameId()));
        }
    }

    /** The stored room, created first when rooms are created on join; null when it does not exist. */
    private ChatStore.RoomRow findOrCreateRoom(String name) throws SQLException {
        try (var db = store.transaction()) {
            ChatStore.RoomRow row = store.findRoom(db, name);
            if (row == null && limits.autocreateRooms()) {
                long now = System.currentTimeMillis();
                store.createRoom(db, name, now);
                row = new ChatStore.RoomRow(name, 0, now, false);
            }
            db.commit();
            return row;
        }
    }

    private void leave(Leave l, Pending pending) {
        Connection conn = l.conn();
        Room room = hub.room(l.room());
        if (room != null && leaveRoom(conn, room)) {
            pending.memberships.add(new Membership(room.name(), conn.user(), false));
        }
        send(conn, new ServerFrame.Left(l.frameId(), l.room(), null));
    }

    private void disconnect(Connection conn) {
        for (String name : conn.rooms()) {
            Room room = hub.room(name);
            if (room != null) leaveRoom(conn, room);
        }
    }

    /** Removes the connection from the room; true when it was the user's last one there (presence leave sent). */
    private boolean leaveRoom(Connection conn, Room room) {
        if (!room.contains(conn)) return false;
        metrics.leaves.mark();
        hub.events().left(conn, room.name());
        boolean last = room.remove(conn);
        if (last) {
            ByteBuffer presence = ByteBuffer.wrap(codec.encodeUtf8(new ServerFrame.Presence(room.name(), conn.user(), "leave")));
            room.forEachConnection(c -> deliver(c, presence));
        }
        hub.dropRoomIfEmpty(room);
        return last;
    }

    // --- operator commands -------------------------------------------------------------------------------------

    private void operate(Command c) {
        try {
            if (c instanceof BroadcastRoom b) {
                b.result().complete(broadcast(b.room(), b.text()));
            } else if (c instanceof DeleteMessage d) {
                d.result().complete(deleteMessage(d.room(), d.seq()));
            } else if (c instanceof SetRoomClosed s) {
                s.result().complete(setClosed(s.room(), s.closed()));
            } else if (c instanceof CreateRoom r) {
                r.result().complete(createRoom(r.room()));
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("Operator command {} failed: {}", c.getClass().getSimpleName(), e.toString());
            CompletableFuture<?> result = c instanceof BroadcastRoom b ? b.result() : c instanceof DeleteMessage d ? d.result()
                    : c instanceof SetRoomClosed s ? s.result() : ((CreateRoom) c).result();
            result.completeExceptionally(e);
        }
    }

    /** Stores the broadcast as the room's next message and sends it to the members; -1 when there is no room. */
    private int broadcast(String name, String text) throws SQLException {
        Room live = hub.room(name);
        long now = System.currentTimeMillis();
        long seq;
        ServerFrame.Message stored;
        try (var db = store.transaction()) {
            resyncIfStale(db);
            ChatStore.RoomRow row = store.findRoom(db, name);
            if (row == null) return -1;
            seq = (live != null ? live.lastSeq() : row.lastSeq()) + 1;
            stored = new ServerFrame.Message(name, seq, "system-" + io.switchboard.auth.Secrets.random(9),
                    "system", null, text, now, true, null);
            store.insertMessages(db, List.of(stored));
            store.updateRoomSeq(db, name, seq, now);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            if (live != null) staleRooms.add(live);
            throw e;
        }
        hub.events().messageStored(stored);
        if (live == null) return 0;
        live.advance(seq, now);
        return fanOut(live, ByteBuffer.wrap(codec.encodeUtf8(new ServerFrame.SystemNotice(text, name, seq, now))));
    }

    private boolean deleteMessage(String room, long seq) throws SQLException {
        try (var db = store.transaction()) {
            boolean found = store.deleteMessage(db, room, seq, System.currentTimeMillis());
            db.commit();
            if (!found) return false;
        }
        Room live = hub.room(room);
        if (live != null) fanOut(live, ByteBuffer.wrap(codec.encodeUtf8(new ServerFrame.Deleted(room, seq))));
        hub.events().messageDeleted(room, seq);
        return true;
    }

    private int setClosed(String name, boolean closed) throws SQLException {
        try (var db = store.transaction()) {
            boolean found = store.setClosed(db, name, closed);
            db.commit();
            if (!found) return -1;
        }
        Room live = hub.room(name);
        if (!closed || live == null) return 0;
        String notice = codec.encode(new ServerFrame.Left(null, name, "room_closed"));
        int removed = 0;
        for (Connection c : live.connections()) {
            live.remove(c);
            c.rooms.remove(name);
            metrics.leaves.mark();
            hub.events().left(c, name);
            deliver(c, notice);
            removed++;
        }
        hub.dropRoomIfEmpty(live);
        return removed;
    }

    private boolean createRoom(String name) throws SQLException {
        try (var db = store.transaction()) {
            if (store.findRoom(db, name) != null) return false;
            store.createRoom(db, name, System.currentTimeMillis());
            db.commit();
            return true;
        }
    }

    // --- offline direct messages ---------------------------------------------------------------------------------

    private void syncDirect(Connection conn) {
        if (conn.isClosed()) return;
        if (!awaitingSync.contains(conn.user())) { // nothing stored for this user: no query needed
            for (Connection c : hub.connectionsOf(conn.user())) c.directSynced = true;
            return;
        }
        try (var db = store.transaction()) {
            while (true) {
                List<ServerFrame.DirectMessage> page = store.undelivered(db, conn.user(), SYNC_PAGE);
                if (page.isEmpty()) break;
                List<Connection> targets = hub.connectionsOf(conn.user());
                for (ServerFrame.DirectMessage m : page) {
                    String encoded = codec.encode(m);
                    for (Connection c : targets) deliver(c, encoded);
                }
                store.markDelivered(db, page, System.currentTimeMillis());
                db.commit();
                if (page.size() < SYNC_PAGE) break;
            }
            // Every connection of the user is now up to date: from here on direct messages reach them live.
            for (Connection c : hub.connectionsOf(conn.user())) c.directSynced = true;
            awaitingSync.remove(conn.user());
        } catch (SQLException e) {
            log.warn("Offline sync for {} failed; retrying: {}", conn.user(), e.toString());
            if (!conn.isClosed()) queue.add(new SyncDirect(conn)); // live messages to this user wait for it
        }
    }

}
