package io.switchboard.chat;

import com.codahale.metrics.Timer;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerFrame;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ordering and storage: gives a batch of messages their positions (room seq, DM stream positions), answers retries
 * from the stored ids, and writes everything in one transaction. Nothing is acked or delivered before the commit;
 * {@link #write} returns what to tell whom.
 *
 * <p>Positions come from one of two places. On a single node this node is the only writer, so the next seq is the
 * last delivered one plus one, kept in memory. In a cluster ({@code shared}) every node writes, so each transaction
 * takes the next positions from the store's counters ({@code rooms.last_seq}, {@code dm_streams.last_seq}), whose row
 * locks order the writers: a seq is visible only after every lower one of the room is, which is what lets a node
 * fill any gap from the store. Counters are taken in one global order (rooms by name, then users by id), so two
 * nodes never deadlock on them. Sequencer thread only.
 */
final class MessageWriter {
    private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);
    /** Users whose DM stream position stays cached (single node only). */
    private static final int DM_STREAMS_CACHED = 100_000;
    /** Times a batch is written again after a conflict with another node's transaction. */
    private static final int CONFLICT_RETRIES = 3;

    private final ChatStore store;
    private final Hub hub;
    private final Metrics metrics;
    private final boolean shared;
    private final DmStreams dmStreams;
    private final MessageDigest sha256;
    /** Single node: rooms whose delivered seq may lag the store after a write of unknown outcome. */
    private final Set<Room> staleRooms = new HashSet<>();

    /** @param shared true when other nodes write to the same store (positions come from its counters) */
    MessageWriter(ChatStore store, Hub hub, Metrics metrics, boolean shared) {
        this.store = store;
        this.hub = hub;
        this.metrics = metrics;
        this.shared = shared;
        this.dmStreams = new DmStreams(store, DM_STREAMS_CACHED);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    boolean isShared() {
        return shared;
    }

    record Membership(String room, String user, boolean joined) {}

    /** Writes collected since the last write. */
    static final class Pending {
        final List<Command.Publish> publishes = new ArrayList<>();
        final List<Command.Direct> directs = new ArrayList<>();
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

    /** What to tell whom once a batch committed, in arrival order. */
    sealed interface Outcome {
        void tell(Outcomes to);
    }

    /** Where outcomes go. */
    interface Outcomes {
        void stored(Stored o);

        void storedDirect(StoredDirect o);

        void answer(Answer o);

        /** A write of unknown outcome left this room's store position possibly ahead of what was delivered here. */
        void roomMayHaveAdvanced(Room room, long storedSeq, long ts);
    }

    record Stored(Connection from, Room room, ServerFrame.Message message, long receivedNanos) implements Outcome {
        public void tell(Outcomes to) { to.stored(this); }
    }

    /** {@code toRecipient} and {@code toSender} are the two stream entries (the same one for a DM to oneself). */
    record StoredDirect(Connection from, ServerFrame.DirectMessage toRecipient, ServerFrame.DirectMessage toSender)
            implements Outcome {
        public void tell(Outcomes to) { to.storedDirect(this); }
    }

    record Answer(Connection to, ServerFrame frame) implements Outcome {
        public void tell(Outcomes to) { to.answer(this); }
    }

    /** Everything a batch writes, collected before the transaction. */
    private static final class Writes {
        final List<ServerFrame.Message> messages = new ArrayList<>();
        /** Single node: the room's new last seq. */
        final Map<Room, Long> roomSeqs = new HashMap<>();
        final List<ChatStore.DmEntry> dmEntries = new ArrayList<>();
        /** Single node: the stream's new last position. */
        final Map<String, Long> dmSeqs = new HashMap<>();
        final List<ChatStore.Key> idKeys = new ArrayList<>();
        final List<ChatStore.SentId> ids = new ArrayList<>();
        final List<Outcome> outcomes = new ArrayList<>();
    }

    /** Writes the batch and tells {@code to} the outcome of each command in it; clears {@code pending}. */
    void write(Pending pending, Outcomes to) {
        if (pending.isEmpty()) return;
        resync(to);
        for (int attempt = 0; ; attempt++) {
            try {
                for (Outcome o : commit(pending)) o.tell(to);
                pending.clear();
                return;
            } catch (SQLException | RuntimeException e) {
                if (shared && attempt < CONFLICT_RETRIES && isConflict(e)) {
                    // Another node wrote the same retried id, or the counters met in a deadlock: the next attempt
                    // reads what that node committed.
                    log.debug("Write conflicted with another node's ({}); writing again", e.toString());
                    continue;
                }
                failed(pending, to, e);
                return;
            }
        }
    }

    private void failed(Pending pending, Outcomes to, Exception e) {
        if (pending.messages() > 1 && isCausedByData(e)) {
            // One message the store refuses (a value out of range, a constraint) must not fail the others:
            // write each on its own, so that only the bad one is refused.
            log.warn("Write of {} messages refused by the store ({}); writing them one by one", pending.messages(), e.toString());
            isolate(pending, to);
            return;
        }
        // Whether or not the commit happened, the senders retry with the same ids and dedup sorts it out; the
        // positions are re-read from the store before the next write.
        log.warn("Write of {} message(s) failed; senders are told to {}: {}", pending.messages(),
                isCausedByData(e) ? "not retry" : "retry", e.toString());
        boolean causedByData = isCausedByData(e);
        for (Command.Publish p : pending.publishes) to.answer(new Answer(p.from(), notStored(p.id(), causedByData)));
        for (Command.Direct d : pending.directs) to.answer(new Answer(d.from(), notStored(d.id(), causedByData)));
        pending.clear();
    }

    private List<Outcome> commit(Pending pending) throws SQLException {
        long now = System.currentTimeMillis();
        Writes w = new Writes();
        Timer.Context persisting = metrics.persistLatency.time();
        try (var db = store.transaction()) {
            try {
                Map<ChatStore.Key, ChatStore.SentId> known = knownIds(db, pending);
                sequenceRoomMessages(db, pending.publishes, now, known, w);
                sequenceDirectMessages(db, pending.directs, now, known, w);
                if (!w.messages.isEmpty()) {
                    store.insertMessages(db, w.messages);
                    for (var e : w.roomSeqs.entrySet()) store.updateRoomSeq(db, e.getKey().name(), e.getValue(), now);
                }
                if (!w.dmEntries.isEmpty()) {
                    store.insertDmEntries(db, w.dmEntries);
                    if (!shared) store.setDmStreamSeqs(db, w.dmSeqs);
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
            throw e;
        }
        persisting.stop();
        dmStreams.advance(w.dmSeqs);
        return w.outcomes;
    }

    /**
     * Single node: rooms whose last write had an unknown outcome may hold messages the store committed and this
     * node never delivered; their members read them from the store (see {@link Fanout#roomAdvancedTo}).
     */
    private void resync(Outcomes to) {
        if (staleRooms.isEmpty()) return;
        try (var db = store.transaction()) {
            for (Room room : staleRooms) {
                ChatStore.RoomRow row = store.findRoom(db, room.name());
                if (row != null) to.roomMayHaveAdvanced(room, row.lastSeq(), row.lastActivity());
            }
            db.commit();
            staleRooms.clear();
        } catch (SQLException e) {
            log.debug("Store still unavailable: {}", e.toString()); // the write that follows reports it
        }
    }

    private void isolate(Pending pending, Outcomes to) {
        List<Command> each = new ArrayList<>(pending.publishes);
        each.addAll(pending.directs);
        List<Membership> memberships = new ArrayList<>(pending.memberships);
        pending.clear();
        for (Command c : each) {
            Pending one = new Pending();
            if (c instanceof Command.Publish p) one.publishes.add(p); else one.directs.add((Command.Direct) c);
            write(one, to);
        }
        if (!memberships.isEmpty()) {
            Pending rest = new Pending();
            rest.memberships.addAll(memberships);
            write(rest, to);
        }
    }

    /** SQLState class 22 (data exception) or 23 (integrity constraint): the content, not the database, is at fault. */
    static boolean isCausedByData(Throwable e) {
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** A unique violation (two nodes stored the same retried id) or a serialization failure / deadlock (class 40). */
    private static boolean isConflict(Throwable e) {
        String state = sqlState(e);
        return state != null && (state.equals("23505") || state.startsWith("40"));
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) return sql.getSQLState();
        }
        return null;
    }

    private static ServerFrame.Error notStored(String id, boolean causedByData) {
        return causedByData
                ? new ServerFrame.Error(ErrorCode.REJECTED.wire(), "the store refused this message as sent; it was not stored, do not retry it unchanged", id)
                : new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "message not stored, retry with the same id", id);
    }

    private Map<ChatStore.Key, ChatStore.SentId> knownIds(java.sql.Connection db, Pending pending) throws SQLException {
        if (!pending.hasMessages()) return new HashMap<>();
        Set<ChatStore.Key> keys = new LinkedHashSet<>();
        for (Command.Publish p : pending.publishes) keys.add(new ChatStore.Key(p.id(), p.from().user()));
        for (Command.Direct d : pending.directs) keys.add(new ChatStore.Key(d.id(), d.from().user()));
        return new HashMap<>(store.findIds(db, keys));
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
    private static ServerFrame sameIdAnswer(String id, ChatStore.SentId prior, String room, String to, String digest) {
        boolean sameTarget = room != null ? room.equals(prior.room()) : to.equals(prior.recipient());
        if (sameTarget && (prior.digest() == null || prior.digest().equals(digest))) {
            return new ServerFrame.Ack(id, prior.room(), prior.recipient(), prior.seq(), prior.ts(), true);
        }
        String what = prior.room() != null ? "a message to room '" + prior.room() + "'" : "a direct message to '" + prior.recipient() + "'";
        return new ServerFrame.Error(ErrorCode.ID_CONFLICT.wire(),
                "id already used for " + (sameTarget ? "a message with other text" : what) + "; use a new id for a new message", id);
    }

    private void sequenceRoomMessages(java.sql.Connection db, List<Command.Publish> publishes, long now,
                                      Map<ChatStore.Key, ChatStore.SentId> known, Writes w) throws SQLException {
        if (publishes.isEmpty()) return;
        // First pass: which publishes become messages (not retries, sender still a member), counted per room.
        // Positions are only known after that: on a cluster they are taken from the store, room by room.
        Room[] rooms = new Room[publishes.size()];
        ServerFrame[] answers = new ServerFrame[publishes.size()];
        Set<ChatStore.Key> claimed = new HashSet<>();
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < publishes.size(); i++) {
            Command.Publish p = publishes.get(i);
            ChatStore.Key key = new ChatStore.Key(p.id(), p.from().user());
            if (known.containsKey(key) || claimed.contains(key)) continue; // a retry: answered below, once numbered
            Room room = hub.room(p.room());
            if (room == null || !room.contains(p.from())) {
                answers[i] = new ServerFrame.Error(ErrorCode.NOT_JOINED.wire(),
                        "join room '" + p.room() + "' before sending to it", p.id());
                continue;
            }
            claimed.add(key);
            rooms[i] = room;
            counts.merge(room.name(), 1, Integer::sum);
        }
        // Positions: taken per room in name order (see the class comment), then handed out in arrival order.
        Map<String, Long> next = new HashMap<>();
        for (var e : counts.entrySet()) {
            long first = shared ? store.allocateRoomSeqs(db, e.getKey(), e.getValue(), now) - e.getValue() + 1
                    : hub.room(e.getKey()).lastSeq() + 1;
            next.put(e.getKey(), first);
        }
        for (int i = 0; i < publishes.size(); i++) {
            Command.Publish p = publishes.get(i);
            if (answers[i] != null) {
                w.outcomes.add(new Answer(p.from(), answers[i]));
                continue;
            }
            ChatStore.Key key = new ChatStore.Key(p.id(), p.from().user());
            String digest = digest(p.text());
            Room room = rooms[i];
            if (room == null) { // the id was stored before, or earlier in this batch
                w.outcomes.add(new Answer(p.from(), sameIdAnswer(p.id(), known.get(key), p.room(), null, digest)));
                continue;
            }
            long seq = next.merge(room.name(), 1L, Long::sum) - 1;
            if (!shared) w.roomSeqs.put(room, seq);
            ServerFrame.Message m = new ServerFrame.Message(room.name(), seq, p.id(), p.from().user(),
                    p.from().principal().name(), p.text(), now);
            w.messages.add(m);
            ChatStore.SentId sent = new ChatStore.SentId(room.name(), null, seq, now, digest);
            w.idKeys.add(key);
            w.ids.add(sent);
            known.put(key, sent);
            w.outcomes.add(new Stored(p.from(), room, m, p.receivedNanos()));
        }
    }

    private void sequenceDirectMessages(java.sql.Connection db, List<Command.Direct> directs, long now,
                                        Map<ChatStore.Key, ChatStore.SentId> known, Writes w) throws SQLException {
        if (directs.isEmpty()) return;
        Map<String, Long> next = shared ? allocateDmSeqs(db, directs, known) : null;
        for (Command.Direct d : directs) {
            String sender = d.from().user();
            ChatStore.Key key = new ChatStore.Key(d.id(), sender);
            String digest = digest(d.text());
            ChatStore.SentId prior = known.get(key);
            if (prior != null) {
                w.outcomes.add(new Answer(d.from(), sameIdAnswer(d.id(), prior, null, d.to(), digest)));
                continue;
            }
            long senderSeq = nextDmSeq(db, sender, w, next);
            long recipientSeq = d.to().equals(sender) ? senderSeq : nextDmSeq(db, d.to(), w, next);
            String name = d.from().principal().name();
            ServerFrame.DirectMessage toRecipient = new ServerFrame.DirectMessage(recipientSeq, d.id(), sender, name, d.to(), d.text(), now);
            ServerFrame.DirectMessage toSender = new ServerFrame.DirectMessage(senderSeq, d.id(), sender, name, d.to(), d.text(), now);
            w.dmEntries.add(new ChatStore.DmEntry(d.to(), toRecipient));
            if (!d.to().equals(sender)) w.dmEntries.add(new ChatStore.DmEntry(sender, toSender));
            ChatStore.SentId sent = new ChatStore.SentId(null, d.to(), senderSeq, now, digest);
            w.idKeys.add(key);
            w.ids.add(sent);
            known.put(key, sent);
            w.outcomes.add(new StoredDirect(d.from(), toRecipient, toSender));
        }
    }

    /** Cluster: takes each stream's positions from the store, users in id order; returns the first new one per user. */
    private Map<String, Long> allocateDmSeqs(java.sql.Connection db, List<Command.Direct> directs,
                                             Map<ChatStore.Key, ChatStore.SentId> known) throws SQLException {
        TreeMap<String, Integer> counts = new TreeMap<>();
        Set<ChatStore.Key> seen = new HashSet<>();
        for (Command.Direct d : directs) {
            ChatStore.Key key = new ChatStore.Key(d.id(), d.from().user());
            if (known.containsKey(key) || !seen.add(key)) continue;
            counts.merge(d.from().user(), 1, Integer::sum);
            if (!d.to().equals(d.from().user())) counts.merge(d.to(), 1, Integer::sum);
        }
        Map<String, Long> next = new HashMap<>();
        for (var e : counts.entrySet()) {
            long last = store.allocateDmSeqs(db, e.getKey(), e.getValue());
            next.put(e.getKey(), last - e.getValue() + 1);
        }
        return next;
    }

    private long nextDmSeq(java.sql.Connection db, String user, Writes w, Map<String, Long> allocated) throws SQLException {
        if (allocated != null) return allocated.merge(user, 1L, Long::sum) - 1;
        Long inBatch = w.dmSeqs.get(user);
        long next = (inBatch != null ? inBatch : dmStreams.lastSeq(db, user)) + 1;
        w.dmSeqs.put(user, next);
        return next;
    }

    /** The user's last DM stream position in the store (through the cache on a single node). */
    long dmStreamSeq(java.sql.Connection db, String user) throws SQLException {
        return shared ? store.dmStreamSeq(db, user) : dmStreams.lastSeq(db, user);
    }

    /** Single node: the position if cached, else -1. */
    long cachedDmStreamSeq(String user) {
        return shared ? -1 : dmStreams.cached(user);
    }

    /**
     * Single node: reads the DM stream positions of users not cached yet in one query, so that a batch of new
     * connections (a connect storm) costs one read instead of one transaction each. No-op in a cluster, where each
     * connection reads its position from the shared store when it opens.
     */
    void prefetchDmStreamSeqs(java.util.Collection<String> users) throws SQLException {
        if (shared || users.isEmpty()) return;
        Map<String, Long> found = store.dmStreamSeqs(users);
        Map<String, Long> all = new HashMap<>();
        for (String u : users) all.put(u, found.getOrDefault(u, 0L)); // no row: no DMs yet
        dmStreams.advance(all);
    }

    /**
     * The next seq of a room for an operator's message, taken in {@code db}: from the store's counter in a cluster,
     * else from what was delivered (or stored, for a room not loaded here); the caller stores the new last seq.
     */
    long nextRoomSeq(java.sql.Connection db, String room, long storedLast, long now) throws SQLException {
        if (shared) return store.allocateRoomSeqs(db, room, 1, now);
        Room live = hub.room(room);
        return (live != null ? live.lastSeq() : storedLast) + 1;
    }

    /** A write of an operator's message to the room failed with an unknown outcome. */
    void roomWriteFailed(Room room) {
        if (room != null) staleRooms.add(room);
    }
}
