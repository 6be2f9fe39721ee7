package io.switchboard.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Scenario E's second phase, the reconnect storm (docs/benchmarks.md, "Reconnect storm"). After the connect phase:
 * a few messages per room from separate feeder connections, so that every room has a seq and every client a last
 * seen seq; then every client connection is dropped at once (TCP closed without a close handshake) and reconnected
 * with the connect phase's concurrency and bounds, on fresh source addresses. A Switchboard client re-joins its room
 * with {@code since} (its last seen seq) and {@code epoch}, while the feeders, which stay connected, send a few more
 * messages into every room; a client is resumed when its {@code joined} arrived and every message up to
 * {@code joined.seq} after {@code since} was replayed to it, in order, once. The baseline has no resume: its
 * comparable figure is a plain reconnect and join.
 */
final class Storm implements AutoCloseable {
    /** Rooms per feeder connection: the server's default {@code limits.rooms.per.connection}. */
    static final int ROOMS_PER_FEEDER = 50;
    private static final long RETRY_MILLIS = 50;

    private final Scenario.Step step;
    private final boolean switchboard;
    private final Wire wire;
    private final int port;
    private final List<Conn> clients;
    private final LoadGenerator gen;
    private final AtomicInteger addresses;
    private final Consumer<String> progress;
    private final Supplier<ProcStats.Mark> mark;
    /** What the reconnected clients observed: connect failures, errors, closes, presence. */
    final Stats stats = new Stats();
    /** What the feeders observed (their errors, e.g. {@code busy} before a retry). */
    final Stats feederStats = new Stats();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-storm-retry");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Chain> chains = new ConcurrentHashMap<>();
    private LoadGenerator resumeGen;
    private List<Conn> resumed = List.of();

    /**
     * @param wire the connect phase's wire (Switchboard: mints the reconnects' tokens); {@code clients} the
     *             connections that were established, on {@code gen}
     */
    Storm(Scenario.Step step, boolean switchboard, Wire wire, int port, List<Conn> clients, LoadGenerator gen,
          AtomicInteger addresses, Consumer<String> progress, Supplier<ProcStats.Mark> mark) {
        this.step = step;
        this.switchboard = switchboard;
        this.wire = wire;
        this.port = port;
        this.clients = clients;
        this.gen = gen;
        this.addresses = addresses;
        this.progress = progress;
        this.mark = mark;
    }

    /** The reconnected connections (for the count of those open at the end). */
    List<Conn> reconnected() {
        return resumed;
    }

    /** Runs the phase and puts its figures into {@code r}. */
    void run(Result r) throws Exception {
        int n = clients.size();
        Duration perConnection = step.connectTimeout().compareTo(Duration.ofSeconds(30)) < 0 ? step.connectTimeout() : Duration.ofSeconds(30);
        r.put("resume_mode", switchboard ? "since" : "reconnect").put("storm_messages", switchboard ? step.stormMessages() : 0);

        // 1. Feeders (Switchboard, with messages): a few connections that join every room between them and stay.
        Set<String> distinct = new LinkedHashSet<>();
        for (Conn c : clients) distinct.add(c.room);
        List<String> rooms = List.copyOf(distinct);
        List<Conn> feeders = new ArrayList<>();
        boolean messages = switchboard && step.stormMessages() > 0;
        if (messages) {
            FeederWire fw = new FeederWire();
            for (int k = 0; k * ROOMS_PER_FEEDER < rooms.size(); k++) {
                Conn f = new Conn(k, "f" + k, null, fw, feederStats);
                fw.rooms.put(k, rooms.subList(k * ROOMS_PER_FEEDER, Math.min(rooms.size(), (k + 1) * ROOMS_PER_FEEDER)));
                f.uri = wire.uri(port, f);
                feeders.add(f);
            }
            progress.accept("storm: " + feeders.size() + " feeder connections join the " + rooms.size() + " rooms");
            gen.connectAll(feeders, step.deflate(), step.connectConcurrency(), perConnection, step.connectTimeout());
            for (Conn f : feeders) {
                if (!f.ready.isDone() || f.ready.isCompletedExceptionally()) continue;
                for (String room : fw.rooms.get(f.index)) {
                    chains.put("p." + room, new Chain(f, "p." + room, room, step.stormMessages()));
                    chains.put("g." + room, new Chain(f, "g." + room, room, step.stormMessages()));
                }
            }
            // 2. Messages before the drop: every client's last seen seq is then the room's seq.
            for (Conn c : clients) c.trackSeq = true;
            long deadline = System.nanoTime() + step.connectTimeout().toNanos();
            for (Chain ch : chains.values()) if (ch.key.startsWith("p.")) ch.start(deadline);
            for (Chain ch : chains.values()) if (ch.key.startsWith("p.")) ch.await(deadline);
            Map<String, Long> roomSeq = finalSeqs("p.");
            long drainEnd = System.nanoTime() + step.drain().toNanos();
            for (Conn c : clients) {
                long want = roomSeq.getOrDefault(c.room, -1L);
                Tools.pollUntil(drainEnd, () -> c.seenSeq >= want);
            }
            progress.accept("storm: " + acked("p.") + " messages before the drop, every room at seq " + range(roomSeq.values()));
        }

        // 3. The reconnects, prepared outside the timed part: tokens, fresh source addresses (the dropped sockets'
        //    TIME_WAIT stays on the old ones), each client's position.
        Track[] tracks = new Track[n];
        List<Conn> again = new ArrayList<>(n);
        ResumeWire rw = switchboard ? new ResumeWire(tracks) : null;
        for (int i = 0; i < n; i++) {
            Conn old = clients.get(i);
            old.trackSeq = false;
            tracks[i] = new Track(Math.max(0, old.seenSeq), old.epoch);
            Conn c = new Conn(i, old.user, old.room, switchboard ? rw : wire, stats);
            c.uri = wire.uri(port, c); // a fresh token for the same user, minted before the timed part
            again.add(c);
        }
        resumeGen = new LoadGenerator(addresses.getAndAdd(step.clients()), step.clients(), step.ioThreads());
        progress.accept("storm: dropping " + n + " connections at once and reconnecting them from "
                + String.join(",", resumeGen.sources) + (switchboard ? " with since" : " (plain reconnect: the baseline has no resume)"));

        // 4. The storm: drop everything, feed the rooms meanwhile, reconnect with the connect phase's limits.
        ProcStats.Mark m0 = mark.get();
        long first = System.nanoTime();
        dropAll(tracks);
        long droppedIn = System.nanoTime() - first;
        long deadline = first + step.connectTimeout().toNanos();
        for (Chain ch : chains.values()) if (ch.key.startsWith("g.")) ch.start(deadline);
        resumeGen.connectAll(again, step.deflate(), step.connectConcurrency(), perConnection, step.connectTimeout());
        resumed = again;
        if (switchboard) {
            // Like a connect, a resume (handshake, join and replay) gets min(30 s, connect-timeout) from its start,
            // within the phase's connect-timeout.
            for (int i = 0; i < n; i++) {
                Conn c = again.get(i);
                if (c.ready.isCompletedExceptionally() || !c.ready.isDone()) {
                    tracks[i].expire(); // never joined: counted as a connect failure by its connection
                    continue;
                }
                long until = Math.min(deadline, c.connectStartNanos + perConnection.toNanos());
                try {
                    tracks[i].done.get(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // expired below
                }
                tracks[i].expire();
            }
        } else {
            for (int i = 0; i < n; i++) {
                Conn c = again.get(i);
                if (c.ready.isDone() && !c.ready.isCompletedExceptionally()) tracks[i].reconnected(c.readyNanos);
            }
        }
        ProcStats.Mark m1 = mark.get();

        // 5. The feeders' last messages, then every reconnected client should have the room's whole sequence.
        long replayed = 0;
        long gaps = 0;
        long duplicates = 0;
        if (messages) {
            for (Chain ch : chains.values()) if (ch.key.startsWith("g.")) ch.await(deadline);
            Map<String, Long> roomSeq = finalSeqs("");
            long drainEnd = System.nanoTime() + step.drain().toNanos();
            for (int i = 0; i < n; i++) {
                long want = roomSeq.getOrDefault(again.get(i).room, -1L);
                Track track = tracks[i];
                Tools.pollUntil(drainEnd, () -> track.missing(want) <= 0);
            }
            for (int i = 0; i < n; i++) gaps += tracks[i].missing(roomSeq.getOrDefault(again.get(i).room, -1L));
            progress.accept("storm: " + acked("g.") + " messages while the clients were away; rooms now at seq " + range(roomSeq.values()));
        }
        if (switchboard) {
            for (Track t : tracks) {
                replayed += t.replayed();
                duplicates += t.duplicates();
            }
        }
        stats.freeze();
        feederStats.freeze();

        Figures f = figures(tracks, first);
        Map<String, Long> failures = Stats.merge(stats.connectFailures(), f.failures());
        long counted = f.resumed();
        for (long k : failures.values()) counted += k;
        if (counted < n) failures = Stats.merge(failures, Map.of("unaccounted", n - counted)); // should not happen
        r.put("resumed", f.resumed()).put("resume_failures", failures)
                .put("resume_s", f.seconds()).put("resume_per_s", f.resumed() / f.seconds()).put("resume_drop_ms", droppedIn / 1e6)
                .put("resume_p50_ms", ms(f.latency(), 50)).put("resume_p99_ms", ms(f.latency(), 99))
                .put("resume_max_ms", f.latency().getTotalCount() == 0 ? Double.NaN : f.latency().getMaxValue() / 1000.0)
                .put("replayed", switchboard ? replayed : null)
                .put("resume_gaps", switchboard ? gaps : null).put("resume_duplicates", switchboard ? duplicates : null)
                .put("storm_sent", messages ? acked("") : null).put("storm_send_failures", messages ? unacked(rooms.size()) : null)
                .put("resume_server_cpu_pct", m0.serverPct(m1)).put("resume_gen_cpu_pct", m0.ownPct(m1));
        progress.accept("storm: " + f.resumed() + " of " + n + " " + (switchboard ? "resumed" : "reconnected") + " in "
                + Report.num(f.seconds()) + " s (dropping them took " + Report.num(droppedIn / 1e6) + " ms)"
                + (failures.isEmpty() ? "" : ", failed: " + failures));
    }

    /**
     * Drops every client connection, from one thread per core (at most 4) each taking an interleaved share, so that
     * "at once" is as close as the harness gets: a drop runs Jetty's close path in the calling thread (~0.2–0.5 ms).
     */
    private void dropAll(Track[] tracks) throws InterruptedException {
        int threads = Math.max(1, Math.min(4, Math.min(Runtime.getRuntime().availableProcessors(), clients.size())));
        List<Thread> droppers = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            int from = k;
            Thread t = new Thread(() -> {
                for (int i = from; i < clients.size(); i += threads) {
                    tracks[i].dropped(System.nanoTime());
                    try {
                        clients.get(i).drop();
                    } catch (RuntimeException e) {
                        // closed already; its reconnect goes ahead all the same
                    }
                }
            }, "bench-storm-drop-" + k);
            t.setDaemon(true);
            droppers.add(t);
        }
        for (Thread t : droppers) t.start();
        for (Thread t : droppers) t.join();
    }

    /** The seq of each room after the chains whose key starts with {@code prefix} (the highest acked). */
    private Map<String, Long> finalSeqs(String prefix) {
        Map<String, Long> out = new HashMap<>();
        for (Chain ch : chains.values()) {
            if (ch.key.startsWith(prefix) && ch.lastSeq >= 0) out.merge(ch.room, ch.lastSeq, Math::max);
        }
        return out;
    }

    private long acked(String prefix) {
        long a = 0;
        for (Chain ch : chains.values()) if (ch.key.startsWith(prefix)) a += ch.acked;
        return a;
    }

    /** Messages meant to be sent (two chains per room) that were never acked, rooms without a feeder included. */
    private long unacked(int rooms) {
        return 2L * rooms * step.stormMessages() - acked("");
    }

    private static String range(java.util.Collection<Long> seqs) {
        if (seqs.isEmpty()) return "-";
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (long s : seqs) {
            lo = Math.min(lo, s);
            hi = Math.max(hi, s);
        }
        return lo == hi ? String.valueOf(lo) : lo + "-" + hi;
    }

    /** What the tracks add up to: how many resumed, the time from the first drop to the last resume, latencies. */
    record Figures(int resumed, double seconds, Histogram latency, Map<String, Long> failures) {}

    /**
     * The phase's figures from each client's track: {@code seconds} from {@code firstDropNanos} to the last client
     * resumed (at least 1 ms), latency per client from its own drop to its resume (µs), and why the clients that
     * joined did not resume (those that never joined are counted as connect failures).
     */
    static Figures figures(Track[] tracks, long firstDropNanos) {
        Histogram latency = new Histogram(3);
        Map<String, Long> failures = new TreeMap<>();
        long last = firstDropNanos;
        int resumed = 0;
        for (Track t : tracks) {
            if (t.resumed()) {
                resumed++;
                last = Math.max(last, t.resumedNanos());
                latency.recordValue(Math.max(0, (t.resumedNanos() - t.droppedNanos()) / 1000));
            } else if (t.failure() != null) {
                failures.merge(t.failure(), 1L, Long::sum);
            }
        }
        return new Figures(resumed, Math.max(1e-3, (last - firstDropNanos) / 1e9), latency, failures);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    @Override
    public void close() {
        retries.shutdownNow();
        if (resumeGen != null) resumeGen.close();
    }

    /**
     * One client's resume as its frames arrive (one connection's frames come one at a time; the harness reads the
     * outcome from another thread, hence the locks). Messages after {@code since} are recorded by seq: one seen
     * twice, or at or below {@code since}, is a duplicate; one that skips a seq not yet seen is a gap (frames of one
     * connection arrive in order, so the skipped one would be late at best). Resumed when {@code joined} was accepted
     * (same epoch, replay not cut short by {@code history.replay.max}, its seq not below {@code since}) and every seq
     * from {@code since + 1} to {@code joined.seq} arrived, without a gap or duplicate before that.
     */
    static final class Track {
        private final long since;
        private final String epoch;
        private final BitSet seen = new BitSet();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private long droppedNanos;
        private long joinedSeq = -1;
        private boolean accepted;
        private long maxSeq;
        private long duplicates;
        private long resumedNanos;
        private String failure;

        /** A client whose last seen seq is {@code since} in a sequence of epoch {@code epoch} (null: not known). */
        Track(long since, String epoch) {
            this.since = since;
            this.epoch = epoch;
            this.maxSeq = since;
        }

        synchronized void dropped(long nanos) {
            droppedNanos = nanos;
        }

        /** The {@code joined} answer to the resuming join. */
        synchronized void joined(long seq, String joinedEpoch, boolean hasMore, long now) {
            if (joinedSeq >= 0) return;
            joinedSeq = seq;
            if (epoch != null && !epoch.equals(joinedEpoch)) fail("epoch_changed");
            else if (hasMore) fail("replay_truncated");
            else if (seq < since) fail("seq_behind");
            else {
                accepted = true;
                complete(now);
            }
        }

        /** A {@code message} of the room with this seq. */
        synchronized void message(long seq, long now) {
            if (seq == Frames.NONE) return;
            if (seq <= since || seen.get(index(seq))) {
                duplicates++;
                fail("duplicate");
                return;
            }
            seen.set(index(seq));
            if (seq > maxSeq + 1 || seq < maxSeq) fail("gap");
            maxSeq = Math.max(maxSeq, seq);
            complete(now);
        }

        /** A plain reconnect (the baseline): resumed when it rejoined. */
        synchronized void reconnected(long now) {
            joinedSeq = since;
            accepted = true;
            complete(now);
        }

        /** Its time is up: a client that joined but did not resume by now is {@code incomplete}. */
        synchronized void expire() {
            if (joinedSeq >= 0) fail("incomplete");
            else done.complete(null); // never joined: a connect failure, counted by its connection
        }

        private int index(long seq) {
            return Math.toIntExact(seq - since - 1);
        }

        private void complete(long now) {
            if (done.isDone() || !accepted || joinedSeq < 0) return;
            if (joinedSeq > since && seen.nextClearBit(0) < joinedSeq - since) return;
            resumedNanos = now;
            done.complete(null);
        }

        private void fail(String reason) {
            if (done.isDone()) return;
            failure = reason;
            done.complete(null);
        }

        synchronized boolean resumed() {
            return done.isDone() && failure == null && resumedNanos != 0;
        }

        /** Why a client that joined did not resume; null when it resumed, is still going, or never joined. */
        synchronized String failure() {
            return joinedSeq >= 0 ? failure : null;
        }

        synchronized long droppedNanos() {
            return droppedNanos;
        }

        synchronized long resumedNanos() {
            return resumedNanos;
        }

        /** Messages received up to {@code joined.seq}: the replay. */
        synchronized long replayed() {
            if (joinedSeq <= since) return 0;
            return seen.get(0, Math.toIntExact(joinedSeq - since)).cardinality();
        }

        synchronized long duplicates() {
            return duplicates;
        }

        /**
         * Seqs after {@code since} up to {@code finalSeq} (the room's last) this client never received; 0 for a client
         * whose join was not accepted (never joined, another epoch: counted among the failures instead).
         */
        synchronized long missing(long finalSeq) {
            if (!accepted || finalSeq <= since) return 0;
            int n = Math.toIntExact(finalSeq - since);
            return n - seen.get(0, n).cardinality();
        }
    }

    /** A reconnecting Switchboard client: {@code join} with {@code since} and {@code epoch}, then the replay. */
    private final class ResumeWire implements Wire {
        private final Track[] tracks;

        ResumeWire(Track[] tracks) {
            this.tracks = tracks;
        }

        @Override
        public URI uri(int port, Conn conn) {
            return wire.uri(port, conn);
        }

        @Override
        public void opened(Conn conn) {
            // wait for welcome
        }

        @Override
        public void received(Conn conn, String frame) {
            Track t = tracks[conn.index];
            switch (Frames.type(frame)) {
                case "message" -> t.message(Frames.seq(frame), System.nanoTime());
                case "presence" -> stats.presence.increment();
                case "welcome" -> {
                    conn.connectionId = Frames.field(frame, "connectionId");
                    conn.control(joinFrame(conn.room, t.since, t.epoch));
                }
                case "joined" -> {
                    long now = System.nanoTime();
                    conn.epoch = Frames.field(frame, "epoch");
                    conn.markReady();
                    // Too late (the connect timeout won): a connect failure, not a resume.
                    if (!conn.ready.isCompletedExceptionally()) t.joined(Frames.seq(frame), conn.epoch, Frames.isTrue(frame, "hasMore"), now);
                }
                case "error" -> Wire.error(conn, frame, stats);
                default -> stats.other.increment();
            }
        }

        @Override
        public String roomMessage(Conn conn, long sentNanos, String text) {
            throw new UnsupportedOperationException("reconnected clients do not send");
        }

        @Override
        public String directMessage(Conn conn, String to, long sentNanos, String text) {
            throw new UnsupportedOperationException("reconnected clients do not send");
        }

        @Override
        public boolean supportsDirect() {
            return false;
        }
    }

    /** The resuming {@code join} (docs/protocol.md, "Resume"); no {@code epoch} when none is known. */
    static String joinFrame(String room, long since, String epoch) {
        return "{\"type\":\"join\",\"id\":\"resume\",\"room\":\"" + room + "\",\"since\":" + since
                + (epoch == null ? "" : ",\"epoch\":\"" + epoch + "\"") + "}";
    }

    /**
     * A feeder: joins its rooms after {@code welcome}, is ready when all joined, and sends the messages of its
     * chains, the next one of a room when the previous one's {@code ack} arrived. {@code busy} and {@code unavailable}
     * (nothing stored) are retried with the same id after a short pause; a retry is never stored twice.
     */
    private final class FeederWire implements Wire {
        final Map<Integer, List<String>> rooms = new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> joined = new ConcurrentHashMap<>();

        @Override
        public URI uri(int port, Conn conn) {
            return wire.uri(port, conn);
        }

        @Override
        public void opened(Conn conn) {
            // wait for welcome
        }

        @Override
        public void received(Conn conn, String frame) {
            switch (Frames.type(frame)) {
                case "ack" -> {
                    String id = Frames.field(frame, "id");
                    Chain ch = id == null ? null : chains.get(chainKey(id));
                    if (ch != null) ch.acked(id, Frames.seq(frame));
                }
                case "welcome" -> {
                    for (String room : rooms.get(conn.index)) {
                        conn.control("{\"type\":\"join\",\"id\":\"j." + room + "\",\"room\":\"" + room + "\"}");
                    }
                }
                case "joined" -> {
                    int k = joined.computeIfAbsent(conn.index, x -> new AtomicInteger()).incrementAndGet();
                    if (k == rooms.get(conn.index).size()) conn.markReady();
                }
                case "error" -> {
                    String code = Frames.field(frame, "code");
                    String id = Frames.field(frame, "id");
                    feederStats.error(code == null ? "unknown" : code);
                    Chain ch = id == null ? null : chains.get(chainKey(id));
                    if (ch != null) ch.refused(id, code);
                    else if (!conn.ready.isDone()) conn.failed(new IllegalStateException("error_" + code));
                }
                default -> {
                    // the rooms' messages and presence: not measured
                }
            }
        }

        @Override
        public String roomMessage(Conn conn, long sentNanos, String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String directMessage(Conn conn, String to, long sentNanos, String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean supportsDirect() {
            return false;
        }
    }

    /**
     * {@code count} messages into one room from one feeder, one at a time (the next after the previous one's ack):
     * ids {@code <key>.<k>}, so at most one message per room is in the server's queue.
     */
    private final class Chain {
        final Conn feeder;
        final String key;
        final String room;
        final int count;
        final CompletableFuture<Long> done = new CompletableFuture<>();
        volatile int acked;
        volatile long lastSeq = -1;
        private volatile long deadline;

        Chain(Conn feeder, String key, String room, int count) {
            this.feeder = feeder;
            this.key = key;
            this.room = room;
            this.count = count;
        }

        void start(long deadlineNanos) {
            deadline = deadlineNanos;
            if (count == 0) done.complete(lastSeq);
            else send(1);
        }

        private String frame(int k) {
            return "{\"type\":\"send\",\"room\":\"" + room + "\",\"id\":\"" + key + "." + k + "\",\"text\":\""
                    + Frames.text(System.nanoTime(), step.payload()) + "\"}";
        }

        private void send(int k) {
            if (System.nanoTime() - deadline > 0) {
                done.completeExceptionally(new IllegalStateException("timeout"));
                return;
            }
            feeder.control(frame(k));
        }

        synchronized void acked(String id, long seq) {
            int k = number(id);
            if (k != acked + 1) return; // a duplicate ack of a retry
            acked = k;
            lastSeq = seq;
            if (k == count) done.complete(seq);
            else send(k + 1);
        }

        /** An error about message {@code id}: retried with the same id when nothing was stored, else given up. */
        void refused(String id, String code) {
            int k = number(id);
            if (k < 1) return;
            if ("busy".equals(code) || "unavailable".equals(code)) {
                retries.schedule(() -> send(k), RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                done.completeExceptionally(new IllegalStateException("error_" + code));
            }
        }

        void await(long deadlineNanos) throws InterruptedException {
            try {
                done.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // counted as unacked
            }
        }
    }

    /** The chain of a feeder's message id ({@code g.r3.2} → {@code g.r3}; room names hold no dot). */
    static String chainKey(String id) {
        int dot = id.lastIndexOf('.');
        return dot <= 0 ? id : id.substring(0, dot);
    }

    /** The message's number in its chain ({@code g.r3.2} → 2), or -1. */
    static int number(String id) {
        try {
            return Integer.parseInt(id.substring(id.lastIndexOf('.') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
