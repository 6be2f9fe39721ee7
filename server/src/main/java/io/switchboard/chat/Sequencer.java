package io.switchboard.chat;

import com.codahale.metrics.Timer;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrame;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * The single writer of chat state. One thread takes commands in arrival order, assigns room sequence numbers and
 * direct-message stream positions, writes them in batched transactions, and only after the commit acks the senders
 * and fans the frames out. Because every room mutation and every fan-out happens here, members see a room's
 * messages in seq order, and a join with {@code since} (or a connection with {@code dmSince}) catches up without
 * gaps or duplicates. Catch-up is paged and flow-controlled by the connection's outbox ({@link #catchUp}), so a
 * backlog of any size never overflows it.
 */
public final class Sequencer {
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);
    /** Most backlog frames read and queued for one connection at a time. */
    private static final int CATCH_UP_PAGE = 200;
    /** At most this many connections are flushed on the sequencer thread itself; more go to the writer pool. */
    private static final int INLINE_FLUSH = 8;
    /** Fewest connections per writer-pool task: smaller chunks would cost more in hand-offs than they save. */
    private static final int MIN_CHUNK = 16;
    /** Users whose DM stream position stays cached. */
    private static final int DM_STREAMS_CACHED = 100_000;

    /** Work for the sequencer. Client commands go through {@link #submit}, the others through {@link #submitInternal}. */
    public sealed interface Command {}

    /** {@code receivedNanos}: when the frame arrived, for the send-to-deliver latency. */
    public record Publish(Connection from, String id, String room, String text, long receivedNanos) implements Command {}

    public record Direct(Connection from, String id, String to, String text) implements Command {}

    /** {@code since}/{@code epoch}: the client's last seen seq in the room and the epoch it belongs to (both optional). */
    public record Join(Connection conn, String frameId, String room, Long since, String epoch) implements Command {}

    public record Leave(Connection conn, String frameId, String room) implements Command {}

    public record Disconnect(Connection conn) implements Command {}

    /**
     * A new connection: sends its {@code welcome} (completed with the user's DM stream position and epoch) and
     * starts its DM stream, replaying from {@code dmSince} when given (see docs/protocol.md, "Direct messages").
     */
    public record Open(Connection conn, ServerFrame.Welcome welcome, Long dmSince, String dmEpoch) implements Command {}

    /** The connection's outbox drained: queue the next page of its backlog. */
    public record ContinueCatchUp(Connection conn) implements Command {}

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
    private final StoreEpoch epoch;
    private final int batchSize;
    private final int capacity;
    private final int outboxCapacity;
    private final LinkedBlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final List<Connection> toFlush = new ArrayList<>();
    private final java.util.concurrent.Executor writers;
    private final int writerThreads;
    private final AtomicInteger clientCommands = new AtomicInteger();
    private final Thread thread;
    private final DmStreams dmStreams;
    private final MessageDigest sha256;
    private volatile boolean stopping;
    private final Set<Room> staleRooms = new java.util.HashSet<>();

    /**
     * @param batchSize      most commands written in one transaction
     * @param capacity       most client commands queued before {@link #submit} refuses ("busy")
     * @param outboxCapacity frames one connection's outbox holds; catch-up keeps below half of it
     */
    public Sequencer(ChatStore store, Hub hub, FrameCodec codec, Limits limits, Metrics metrics, StoreEpoch epoch,
                     int batchSize, int capacity, int outboxCapacity, java.util.concurrent.Executor writers, int writerThreads) {
        this.writers = writers;
        this.writerThreads = writerThreads;
        this.store = store;
        this.hub = hub;
        this.codec = codec;
        this.limits = limits;
        this.metrics = metrics;
        this.epoch = epoch;
        this.batchSize = batchSize;
        this.capacity = capacity;
        this.outboxCapacity = outboxCapacity;
        this.dmStreams = new DmStreams(store, DM_STREAMS_CACHED);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        this.thread = new Thread(this::run, "switchboard-sequencer");
    }

    public void start() {
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
     * Queues connection bookkeeping (open, disconnect, catch-up) and operator commands; never refused, so no
     * connection is left in a room and no admin call is dropped.
     */
    public void submitInternal(Command c) {
        if (!isInternal(c)) throw new IllegalArgumentException("client commands go through submit()");
        queue.add(c);
    }

    private static boolean isInternal(Command c) {
        return !(c instanceof Publish || c instanceof Direct || c instanceof Join || c instanceof Leave);
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
                    } else if (c instanceof Open o) {
                        open(o);
                    } else if (c instanceof ContinueCatchUp cc) {
                        catchUp(cc.conn());
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

        int messages() {
            return publishes.size() + directs.size();
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

    /** {@code toRecipient} and {@code toSender} are the two stream entries (the same one for a DM to oneself). */
    private record FreshDirect(Connection from, ServerFrame.DirectMessage toRecipient, ServerFrame.DirectMessage toSender)
            implements Outcome {}

    private record Answer(Connection to, ServerFrame frame) implements Outcome {}

    /** Everything a batch writes, collected before the transaction. */
    private static final class Writes {
        final List<ServerFrame.Message> messages = new ArrayList<>();
        final Map<Room, Long> roomSeqs = new LinkedHashMap<>();
        final List<ChatStore.DmEntry> dmEntries = new ArrayList<>();
        final Map<String, Long> dmSeqs = new LinkedHashMap<>();
        final List<ChatStore.Key> idKeys = new ArrayList<>();
        final List<ChatStore.SentId> ids = new ArrayList<>();
        final List<Outcome> outcomes = new ArrayList<>();
    }

    private void flush(Pending pending) {
        if (pending.isEmpty()) return;
        long now = System.currentTimeMillis();
        Writes w = new Writes();
        Timer.Context persisting = metrics.persistLatency.time();
        try (var db = store.transaction()) {
            try {
                resyncIfStale(db);
                Map<ChatStore.Key, ChatStore.SentId> known = knownIds(db, pending);
                sequenceRoomMessages(pending.publishes, now, known, w);
                sequenceDirectMessages(db, pending.directs, now, known, w);
                if (!w.messages.isEmpty()) {
                    store.insertMessages(db, w.messages);
                    for (var e : w.roomSeqs.entrySet()) store.updateRoomSeq(db, e.getKey().name(), e.getValue(), now);
                }
                if (!w.dmEntries.isEmpty()) {
                    store.insertDmEntries(db, w.dmEntries);
                    store.setDmStreamSeqs(db, w.dmSeqs);
                }
                if (!w.ids.isEmpty()) store.insertIds(db, w.idKeys, w.ids);
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
            staleRooms.addAll(w.roomSeqs.keySet());
            dmStreams.forget(w.dmSeqs.keySet());
            if (pending.messages() > 1 && isCausedByData(e)) {
                // One message the store refuses (a value out of range, a constraint) must not fail the others:
                // write each on its own, so that only the bad one is refused.
                log.warn("Write of {} messages refused by the store ({}); writing them one by one", pending.messages(), e.toString());
                isolate(pending);
                return;
            }
            // Whether or not the commit happened, the senders retry with the same ids and dedup sorts it out;
            // the counters are re-read from the database before the next write.
            log.warn("Write of {} message(s) failed; senders are told to {}: {}", pending.messages(),
                    isCausedByData(e) ? "not retry" : "retry", e.toString());
            refuseAll(pending, isCausedByData(e));
            pending.clear();
            return;
        }
        persisting.stop();
        w.roomSeqs.forEach((room, seq) -> room.advance(seq, now));
        dmStreams.advance(w.dmSeqs);
        pending.clear();
        dispatch(w.outcomes);
        flushWrites();
    }

    /** SQLState class 22 (data exception) or 23 (integrity constraint): the content, not the database, is at fault. */
    private static boolean isCausedByData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    private void isolate(Pending pending) {
        List<Command> each = new ArrayList<>(pending.publishes);
        each.addAll(pending.directs);
        List<Membership> memberships = new ArrayList<>(pending.memberships);
        pending.clear();
        for (Command c : each) {
            Pending one = new Pending();
            if (c instanceof Publish p) one.publishes.add(p); else one.directs.add((Direct) c);
            flush(one);
        }
        if (!memberships.isEmpty()) {
            Pending rest = new Pending();
            rest.memberships.addAll(memberships);
            flush(rest);
        }
    }

    private Map<ChatStore.Key, ChatStore.SentId> knownIds(java.sql.Connection db, Pending pending) throws SQLException {
        if (!pending.hasMessages()) return new HashMap<>();
        Set<ChatStore.Key> keys = new LinkedHashSet<>();
        for (Publish p : pending.publishes) keys.add(new ChatStore.Key(p.id(), p.from().user()));
        for (Direct d : pending.directs) keys.add(new ChatStore.Key(d.id(), d.from().user()));
        return new HashMap<>(store.findIds(db, keys));
    }

    private void resyncIfStale(java.sql.Connection db) throws SQLException {
        for (Room room : staleRooms) {
            ChatStore.RoomRow row = store.findRoom(db, room.name());
            if (row != null) room.advance(row.lastSeq(), row.lastActivity());
        }
        staleRooms.clear();
    }

    /** SHA-256 of the text, base64: what a retry's text is compared with. */
    private String digest(String text) {
        return java.util.Base64.getEncoder().withoutPadding()
                .encodeToString(sha256.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Answer to a message whose id its sender already used: the original ack when it is the same message (a retry),
     * {@code id_conflict} when the id named something else. Ids stored before digests were kept compare by target.
     */
    private ServerFrame sameIdAnswer(String id, ChatStore.SentId prior, String room, String to, String digest) {
        boolean sameTarget = room != null ? room.equals(prior.room()) : to.equals(prior.recipient());
        if (sameTarget && (prior.digest() == null || prior.digest().equals(digest))) {
            return new ServerFrame.Ack(id, prior.room(), prior.recipient(), prior.seq(), prior.ts(), true);
        }
        String what = prior.room() != null ? "a message to room '" + prior.room() + "'" : "a direct message to '" + prior.recipient() + "'";
        return new ServerFrame.Error(ErrorCode.ID_CONFLICT.wire(),
                "id already used for " + (sameTarget ? "a message with other text" : what) + "; use a new id for a new message", id);
    }

    private void sequenceRoomMessages(List<Publish> publishes, long now, Map<ChatStore.Key, ChatStore.SentId> known, Writes w) {
        for (Publish p : publishes) {
            ChatStore.Key key = new ChatStore.Key(p.id(), p.from().user());
            String digest = digest(p.text());
            ChatStore.SentId prior = known.get(key);
            if (prior != null) {
                w.outcomes.add(new Answer(p.from(), sameIdAnswer(p.id(), prior, p.room(), null, digest)));
                continue;
            }
            Room room = hub.room(p.room());
            if (room == null || !room.contains(p.from())) {
                w.outcomes.add(new Answer(p.from(), new ServerFrame.Error(ErrorCode.NOT_JOINED.wire(),
                        "join room '" + p.room() + "' before sending to it", p.id())));
                continue;
            }
            long seq = w.roomSeqs.getOrDefault(room, room.lastSeq()) + 1;
            w.roomSeqs.put(room, seq);
            ServerFrame.Message m = new ServerFrame.Message(room.name(), seq, p.id(), p.from().user(),
                    p.from().principal().name(), p.text(), now);
            w.messages.add(m);
            ChatStore.SentId sent = new ChatStore.SentId(room.name(), null, seq, now, digest);
            w.idKeys.add(key);
            w.ids.add(sent);
            known.put(key, sent);
            w.outcomes.add(new Fresh(p.from(), room, m, p.receivedNanos()));
        }
    }

    private void sequenceDirectMessages(java.sql.Connection db, List<Direct> directs, long now,
                                        Map<ChatStore.Key, ChatStore.SentId> known, Writes w) throws SQLException {
        for (Direct d : directs) {
            String sender = d.from().user();
            ChatStore.Key key = new ChatStore.Key(d.id(), sender);
            String digest = digest(d.text());
            ChatStore.SentId prior = known.get(key);
            if (prior != null) {
                w.outcomes.add(new Answer(d.from(), sameIdAnswer(d.id(), prior, null, d.to(), digest)));
                continue;
            }
            long senderSeq = nextDmSeq(db, sender, w);
            long recipientSeq = d.to().equals(sender) ? senderSeq : nextDmSeq(db, d.to(), w);
            String name = d.from().principal().name();
            ServerFrame.DirectMessage toRecipient = new ServerFrame.DirectMessage(recipientSeq, d.id(), sender, name, d.to(), d.text(), now);
            ServerFrame.DirectMessage toSender = new ServerFrame.DirectMessage(senderSeq, d.id(), sender, name, d.to(), d.text(), now);
            w.dmEntries.add(new ChatStore.DmEntry(d.to(), toRecipient));
            if (!d.to().equals(sender)) w.dmEntries.add(new ChatStore.DmEntry(sender, toSender));
            ChatStore.SentId sent = new ChatStore.SentId(null, d.to(), senderSeq, now, digest);
            w.idKeys.add(key);
            w.ids.add(sent);
            known.put(key, sent);
            w.outcomes.add(new FreshDirect(d.from(), toRecipient, toSender));
        }
    }

    private long nextDmSeq(java.sql.Connection db, String user, Writes w) throws SQLException {
        Long inBatch = w.dmSeqs.get(user);
        long next = (inBatch != null ? inBatch : dmStreams.lastSeq(db, user)) + 1;
        w.dmSeqs.put(user, next);
        return next;
    }

    private void dispatch(List<Outcome> outcomes) {
        for (Outcome o : outcomes) {
            if (o instanceof Fresh f) {
                ServerFrame.Message m = f.message();
                send(f.from(), new ServerFrame.Ack(m.id(), m.room(), null, m.seq(), m.ts(), null));
                ByteBuffer encoded = ByteBuffer.wrap(codec.encodeUtf8(m)); // once per fan-out, shared by every recipient
                metrics.deliveries.mark(fanOutSequenced(f.room(), encoded));
                metrics.deliveryLatency.update(System.nanoTime() - f.receivedNanos(), TimeUnit.NANOSECONDS);
                hub.events().messageStored(m);
            } else if (o instanceof FreshDirect f) {
                ServerFrame.DirectMessage toSender = f.toSender();
                send(f.from(), new ServerFrame.Ack(toSender.id(), null, toSender.to(), toSender.seq(), toSender.ts(), null));
                int reached = deliverDirect(f.toRecipient().to(), f.toRecipient());
                if (!toSender.to().equals(toSender.from())) reached += deliverDirect(toSender.from(), toSender);
                metrics.deliveries.mark(reached);
            } else if (o instanceof Answer a) {
                send(a.to(), a.frame());
            }
        }
    }

    /** Queues a DM for every connection of the stream's owner that receives its stream live. */
    private int deliverDirect(String owner, ServerFrame.DirectMessage m) {
        List<Connection> conns = hub.connectionsOf(owner);
        if (conns.isEmpty()) return 0;
        ByteBuffer encoded = ByteBuffer.wrap(codec.encodeUtf8(m));
        int reached = 0;
        for (Connection c : conns) if (c.dmLive && deliver(c, encoded)) reached++;
        return reached;
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
        return reached[0];
    }

    /** Queues one encoded frame without a seq (presence, deletions) for every connection in the room. */
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

    private void refuseAll(Pending pending, boolean causedByData) {
        for (Publish p : pending.publishes) send(p.from(), notStored(p.id(), causedByData));
        for (Direct d : pending.directs) send(d.from(), notStored(d.id(), causedByData));
    }

    private static ServerFrame.Error notStored(String id, boolean causedByData) {
        return causedByData
                ? new ServerFrame.Error(ErrorCode.REJECTED.wire(), "the store refused this message as sent; it was not stored, do not retry it unchanged", id)
                : new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "message not stored, retry with the same id", id);
    }

    private void send(Connection c, ServerFrame frame) {
        if (frame instanceof ServerFrame.Error e) metrics.error(e.code());
        deliver(c, codec.encode(frame));
    }

    // --- connections and catch-up -------------------------------------------------------------------------------

    private void open(Open o) {
        Connection conn = o.conn();
        if (conn.isClosed()) return;
        long last = dmStreams.cached(conn.user());
        if (last < 0) {
            try (var db = store.transaction()) {
                last = dmStreams.lastSeq(db, conn.user());
                db.commit();
            } catch (SQLException e) {
                log.warn("Could not read the DM stream of {}; closing the new connection: {}", conn.user(), e.toString());
                conn.close(io.switchboard.protocol.CloseCodes.TRY_AGAIN_LATER, "unavailable");
                return;
            }
        }
        ServerFrame.Welcome w = o.welcome();
        String current = epoch.current();
        conn.start(codec.encode(new ServerFrame.Welcome(w.connectionId(), w.user(), w.name(), w.serverTime(), w.heartbeat(),
                w.limits(), new ServerFrame.StreamPosition(last, current))));
        boolean sameEpoch = o.dmEpoch() == null || o.dmEpoch().equals(current);
        if (o.dmSince() != null && sameEpoch && o.dmSince() < last) {
            conn.catchUpState().addDms(o.dmSince());
            catchUp(conn);
        } else {
            conn.dmLive = true;
        }
    }

    /**
     * Queues the next part of the connection's backlog (DM stream first, then rooms in join order): at most enough to
     * fill half its outbox, read from the store in pages. What is left waits until the outbox has drained to a
     * quarter, when the transport submits {@link ContinueCatchUp}. A backlog that reaches the end of what is stored
     * turns live in the same step, so no message falls between the two: messages commit on this thread, and every
     * pending one was committed before this command ran.
     */
    private void catchUp(Connection conn) {
        CatchUp state = conn.catchUp;
        if (state == null || conn.isClosed()) return;
        int budget = outboxCapacity / 2 - conn.queued();
        try (var db = store.transaction()) {
            while (budget > 0 && !state.isDone()) {
                int want = Math.min(budget, CATCH_UP_PAGE);
                if (state.dmsAfter() >= 0) {
                    List<ServerFrame.DirectMessage> page = store.dmsFrom(db, conn.user(), state.dmsAfter(), want);
                    for (ServerFrame.DirectMessage m : page) {
                        if (!deliver(conn, codec.encode(m))) return;
                        state.dmsSent(m.seq());
                    }
                    budget -= page.size();
                    if (page.size() < want) {
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
                    List<ServerFrame.Message> page = store.messagesFrom(db, name, state.roomAfter(name), want);
                    for (ServerFrame.Message m : page) {
                        if (!deliver(conn, codec.encode(m))) return;
                        state.roomSent(name, m.seq());
                    }
                    budget -= page.size();
                    if (page.size() < want) state.roomDone(name);
                }
            }
            db.commit();
        } catch (SQLException e) {
            log.warn("Catch-up of connection {} failed; closing it so that the client resumes: {}", conn.id(), e.toString());
            conn.close(io.switchboard.protocol.CloseCodes.TRY_AGAIN_LATER, "unavailable");
            return;
        }
        if (state.isDone()) {
            conn.catchUp = null;
        } else {
            conn.whenDrained(outboxCapacity / 4, () -> queue.add(new ContinueCatchUp(conn)));
        }
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
            // The replay range is known from the seq alone (seqs have no gaps); the messages themselves are read
            // page by page by the catch-up, which then turns the room live for this connection.
            long last = room.lastSeq();
            String current = epoch.current();
            Integer replayed = null;
            Boolean hasMore = null;
            Long firstReplayed = null;
            long replayAfter = -1;
            if (j.since() != null) {
                boolean sameEpoch = j.epoch() == null || j.epoch().equals(current);
                if (sameEpoch && j.since() < last) {
                    replayAfter = Math.max(j.since(), last - limits.replayMax());
                    replayed = (int) (last - replayAfter);
                    hasMore = replayAfter > j.since();
                    firstReplayed = replayAfter + 1;
                } else {
                    replayed = 0;
                    hasMore = false;
                }
            }
            boolean firstOfUser = room.add(conn);
            metrics.joins.mark();
            hub.events().joined(conn, room.name());
            send(conn, new ServerFrame.Joined(j.frameId(), room.name(), last, current, room.onlineUsers(),
                    replayed, hasMore, firstReplayed));
            if (replayAfter >= 0) {
                conn.catchUpState().addRoom(room.name(), replayAfter);
                catchUp(conn);
            } else if (conn.catchUp != null) {
                conn.catchUp.roomDone(room.name()); // a re-join without since is live from here
            }
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
        return fanOutSequenced(live, ByteBuffer.wrap(codec.encodeUtf8(new ServerFrame.SystemNotice(text, name, seq, now))));
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
}
