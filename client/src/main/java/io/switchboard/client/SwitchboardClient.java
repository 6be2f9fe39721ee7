package io.switchboard.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Switchboard chat client over the JDK's {@link WebSocket} that keeps a conversation whole across disconnects.
 *
 * <ul>
 *   <li><b>Reconnects</b> by itself with exponential backoff and full jitter, asking the token supplier for a token
 *       before every attempt; after a 1012 (the server drains its node) at once, after a random jitter below one
 *       second, and resumes like after any reconnect. It stops only on {@link #close()}, on 4003 (banned), on 4001 when there is no
 *       supplier (or a fresh token is refused too), on 4002 with a fixed token, or after {@code maxTries} failed
 *       attempts in a row.</li>
 *   <li><b>Rooms</b> are rejoined with {@code since} = the last seq delivered and the epoch of the room's sequence;
 *       a gap (a replay with {@code hasMore}, or a hole seen live) is paged with {@code history}. Every room
 *       message is delivered once, in seq order.</li>
 *   <li><b>Direct messages</b> are one stream per user with its own gap-free seq: the client reconnects with
 *       {@code dmSince} = the last position delivered (and {@code dmEpoch}), so the server replays what it missed;
 *       a hole is paged with {@code dm_history}. Every direct message is delivered once, in stream order.</li>
 *   <li><b>Resets</b>: when the server's epoch of a room (or of the DM stream) differs from the one the client's
 *       position is in, or the server's latest seq is below it, the client drops the position, calls
 *       {@link Listener#onReset(Reset)} and delivers the newest messages again ({@code resetPage} of them).</li>
 *   <li><b>Messages</b> keep their id until acked: unacked ones are sent again after a reconnect and on
 *       {@code busy}, {@code unavailable} or {@code rate_limited}; the server's dedup turns a retry of a stored
 *       message into the original ack ({@link Ack#duplicate()}). An {@code id_conflict} (the id names another
 *       message) fails the message and is never retried. At most {@code outboxLimit} requests wait for an
 *       answer; more fail at once with {@link OutboxFullException}.</li>
 *   <li><b>Heartbeats</b>: the JDK answers the server's pings; a connection silent for twice the server's heartbeat
 *       interval is dropped and reconnected. Frames are paced below the server's rate limit.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Every method may be called from any thread. Protocol state lives on one thread per client;
 * {@link Listener} callbacks and the completion of returned futures run on a second thread per client, one at a
 * time and in order (an ack completes before the echo of that message is delivered). Both threads are daemons and
 * end with {@link #close()}.
 */
public final class SwitchboardClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final SecureRandom SEED = new SecureRandom();
    /** Token suppliers may block (an HTTP call to a backend): they never run on a client's own threads. */
    private static final ExecutorService TOKEN_POOL = Executors.newCachedThreadPool(daemon("switchboard-client-token-", true));
    /** Aborts a closing socket whose peer never answers the close frame. */
    private static final ScheduledExecutorService JANITOR =
            Executors.newSingleThreadScheduledExecutor(daemon("switchboard-client-janitor", false));
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Close code 1012 (Service Restart): the server drains this node; reconnect at once, elsewhere, and resume. */
    static final int CLOSE_DRAINING = 1012;
    /** How long a failed write waits for the close frame that may explain it (see {@link #pump()}). */
    private static final long CLOSE_AFTER_WRITE_FAILURE_MILLIS = 250;
    /**
     * The reconnect after a drain's 1012 waits a uniform random delay below this instead of the backoff: the node
     * closes its connections spread over its drain window, and this spreads each moment's few a little more.
     */
    static final long DRAIN_JITTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int DEFAULT_PAGE_MAX = 200;
    private static final int MAX_ID_CHARS = 128;

    private enum Kind { SEND, DM, HISTORY, DM_HISTORY, GAP }

    /** A frame that waits for its answer (ack or history) and is sent again until it gets one. */
    private static final class Request {
        final Kind kind;
        final String id;
        final String frame;
        final CompletableFuture<Object> future;
        final String room;
        final Stream stream; // a GAP page: the sequence it fills
        final long before;
        ScheduledFuture<?> retry;
        int retries;

        Request(Kind kind, String id, String frame, CompletableFuture<Object> future, String room, Stream stream,
                long before) {
            this.kind = kind;
            this.id = id;
            this.frame = frame;
            this.future = future;
            this.room = room;
            this.stream = stream;
            this.before = before;
        }

        boolean counted() {
            return kind != Kind.GAP;
        }
    }

    /** A sequence delivered in seq order, once each: a room's, or the user's direct-message stream. */
    private abstract static class Stream {
        SeqOrder<Object> order; // null until the server named the position, unless the application gave one
        String epoch;           // of the sequence that position is in; null while unknown
        boolean fetching;       // a page of missing seqs is on its way
        long fillTo;            // after a reset: the seq the re-paged messages must reach (no replay brings them)

        /** The room, or null for the direct-message stream. */
        abstract String room();
    }

    /** The user's direct-message stream. */
    private static final class DmStream extends Stream {
        boolean streamed;       // the server numbers DMs per user (welcome.dms); else seqs are only increasing
        long legacyLast = -1;   // without a stream: the highest seq delivered

        @Override
        String room() {
            return null;
        }
    }

    /** A room the application wants to be in. */
    private static final class RoomState extends Stream {
        final String name;
        boolean joined;         // joined on the current connection
        ScheduledFuture<?> retry; // a refused (busy) join is asked again
        Joined last;
        final List<CompletableFuture<Joined>> waiters = new ArrayList<>();

        RoomState(String name) {
            this.name = name;
        }

        @Override
        String room() {
            return name;
        }
    }

    private final URI uri;
    private final Supplier<String> tokens;
    private final boolean refreshable;
    private final Backoff backoff;
    private final int maxTries;
    private final int outboxLimit;
    private final Listener listener;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final int resetPage;
    private final String idPrefix;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();

    private final ScheduledThreadPoolExecutor loop;
    private final ExecutorService callbacks;

    private volatile State state = State.NEW;
    private volatile Welcome welcome;
    private volatile ClientClosedException closedCause;
    private final CompletableFuture<Welcome> firstWelcome = new CompletableFuture<>();

    // Everything below belongs to the loop thread.
    private Conn conn;
    private int failures;
    private int lastCloseCode;
    private ScheduledFuture<?> reconnectTimer;
    private final Map<String, RoomState> rooms = new LinkedHashMap<>();
    private final Map<String, Request> requests = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<Void>> leaving = new HashMap<>();
    private final DmStream dms = new DmStream();
    private final ArrayDeque<String> wire = new ArrayDeque<>();
    private boolean writing;
    private Pacer pacer;
    private ScheduledFuture<?> pumpTimer;
    private int pageMax = DEFAULT_PAGE_MAX;

    private SwitchboardClient(Builder b) {
        this.uri = b.uri;
        this.tokens = b.tokens;
        this.refreshable = b.refreshable;
        this.backoff = new Backoff(b.base, b.cap);
        this.maxTries = b.maxTries;
        this.outboxLimit = b.outboxLimit;
        this.listener = b.listener;
        this.http = b.http != null ? b.http : DefaultHttp.CLIENT;
        this.connectTimeout = b.connectTimeout;
        this.resetPage = b.resetPage;
        if (b.dmResume != null) {
            dms.order = new SeqOrder<>(b.dmResume.seq());
            dms.epoch = b.dmResume.epoch();
        }
        byte[] seed = new byte[9];
        SEED.nextBytes(seed);
        this.idPrefix = Base64.getUrlEncoder().withoutPadding().encodeToString(seed);
        int n = INSTANCES.incrementAndGet();
        this.loop = new ScheduledThreadPoolExecutor(1, daemon("switchboard-client-" + n, false));
        // Timers are cancelled when the client stops; what is already posted still runs after shutdown(), so
        // that a request submitted during close() fails instead of hanging.
        this.loop.setRemoveOnCancelPolicy(true);
        this.callbacks = Executors.newSingleThreadExecutor(daemon("switchboard-client-" + n + "-callbacks", false));
    }

    /** Starts a builder for a client of the server's WebSocket endpoint, e.g. {@code ws://localhost:8080/ws}. */
    public static Builder builder(URI wsUri) {
        return new Builder(wsUri);
    }

    // --- public API ----------------------------------------------------------------------------------------------

    /**
     * Starts connecting (once; later calls return the same stage). Completes with the first {@code welcome}; fails
     * with {@link ClientClosedException} if the client stops before it was ever welcomed. Unreachable servers are
     * retried with backoff like any disconnect.
     */
    public CompletionStage<Welcome> connect() {
        post(() -> {
            if (state == State.NEW) startConnect();
        });
        return firstWelcome.minimalCompletionStage();
    }

    /**
     * Joins a room from now on: messages after the room's current seq are delivered. The room is rejoined after
     * every reconnect, resuming where delivery stopped. Completes with the first {@code joined}; fails with
     * {@link SwitchboardException} ({@code room_forbidden}, {@code invalid_room}, {@code room_closed}, ...) and
     * the client then forgets the room.
     */
    public CompletionStage<Joined> join(String room) {
        return join(room, null);
    }

    /**
     * Joins a room and delivers every message after {@code since} (0: the whole history), paging with
     * {@code history} where the server's replay stops short. Use the last seq an earlier run delivered to resume.
     * Has no effect on the position of a room this client already joined.
     */
    public CompletionStage<Joined> join(String room, Long since) {
        if (since != null && since < 0) throw new IllegalArgumentException("since must not be negative");
        return join(room, since, null);
    }

    /**
     * Joins a room and resumes from a position an earlier run stored (the last seq it delivered and the epoch
     * from {@link Joined#epoch()} or {@link Reset#current()}): every message after it is delivered, like
     * {@link #join(String, Long)}. If the room's epoch is another one now, or its sequence is shorter, the position
     * is dropped: {@link Listener#onReset(Reset)}, then the newest messages. Completes like {@link #join(String)}.
     */
    public CompletionStage<Joined> resume(String room, Position position) {
        Objects.requireNonNull(position, "position");
        return join(room, position.seq(), position.epoch());
    }

    private CompletionStage<Joined> join(String room, Long since, String epoch) {
        Objects.requireNonNull(room, "room");
        CompletableFuture<Joined> f = new CompletableFuture<>();
        if (!post(() -> joinNow(room, since, epoch, f))) f.completeExceptionally(closedException());
        return f.minimalCompletionStage();
    }

    /**
     * Leaves a room: the client stops delivering its messages and does not rejoin it. Completes when the server
     * confirmed, or at once when not connected (a disconnect ends the connection's presence in the room anyway).
     */
    public CompletionStage<Void> leave(String room) {
        Objects.requireNonNull(room, "room");
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!post(() -> leaveNow(room, f))) f.completeExceptionally(closedException());
        return f.minimalCompletionStage();
    }

    /**
     * Sends a message to a joined room. Completes with its ack once stored (possibly after reconnects and
     * retries, always with the same id); fails with {@link OutboxFullException} at once when {@code outboxLimit}
     * requests are waiting, with {@link SwitchboardException} when the server refuses it for good
     * ({@code not_joined}, {@code text_too_long}, ...), or with {@link ClientClosedException}.
     */
    public CompletionStage<Ack> send(String room, String text) {
        return send(room, text, null);
    }

    /**
     * Sends a room message under an id the application chose (1 to 128 characters; null: the client picks one),
     * for an application that keeps its unacked messages across restarts and sends them again under their ids. An
     * id names one message forever: the same id with other content fails with {@link SwitchboardException}
     * {@code id_conflict} and is not retried. Fails at once with {@code duplicate_id} when a request with this id
     * is still waiting. Otherwise like {@link #send(String, String)}.
     */
    public CompletionStage<Ack> send(String room, String text, String id) {
        Objects.requireNonNull(room, "room");
        requireText(text);
        return submit(Kind.SEND, room, id, i -> Codec.send(i, room, text), text, room);
    }

    /**
     * Sends a direct message to a user (online or not); completes like {@link #send(String, String)}. The ack's
     * seq is the message's position in the sender's own stream (its echo carries the same seq).
     */
    public CompletionStage<Ack> dm(String user, String text) {
        return dm(user, text, null);
    }

    /** Sends a direct message under an id the application chose; see {@link #send(String, String, String)}. */
    public CompletionStage<Ack> dm(String user, String text, String id) {
        Objects.requireNonNull(user, "user");
        requireText(text);
        return submit(Kind.DM, null, id, i -> Codec.dm(i, user, text), text, user);
    }

    /**
     * A page of a room's history: up to {@code limit} messages (null: the server's default, 50) with a seq below
     * {@code before} (null: the newest), oldest first. Joining is not required. Counts against the outbox limit and
     * is asked again after a reconnect.
     */
    public CompletionStage<History> history(String room, Long before, Integer limit) {
        Objects.requireNonNull(room, "room");
        if (limit != null && limit < 1) throw new IllegalArgumentException("limit must be positive");
        return submit(Kind.HISTORY, room, null, id -> Codec.history(id, room, before, limit), null, null);
    }

    /**
     * A page of the user's direct-message stream (every DM the user sent or received): up to {@code limit} messages
     * (null: the server's default, 50) with a stream position below {@code before} (null: the newest), oldest
     * first. The stream itself is delivered live and resumed by the client; use this to show what came before
     * (a fresh client starts at the stream's latest position). Counts against the outbox limit like
     * {@link #history(String, Long, Integer)}.
     */
    public CompletionStage<DirectHistory> dmHistory(Long before, Integer limit) {
        if (limit != null && limit < 1) throw new IllegalArgumentException("limit must be positive");
        return submit(Kind.DM_HISTORY, null, null, id -> Codec.dmHistory(id, before, limit), null, null);
    }

    public State state() {
        return state;
    }

    /** The welcome of the current or last connection, or null before the first one. */
    public Welcome welcome() {
        return welcome;
    }

    /** Requests (send, dm, history, dmHistory) waiting for their answer; at most {@code outboxLimit}. */
    public int pending() {
        return outstanding.get();
    }

    /**
     * Stops for good: closes the connection (1000), fails pending requests with {@link ClientClosedException} and
     * ends the client's threads after the callbacks already queued. Waits up to a few seconds for the protocol
     * thread; safe to call more than once and from a callback.
     */
    @Override
    public void close() {
        if (post(() -> terminate(1000, "closed by the application"))) {
            try {
                loop.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // --- submitting ----------------------------------------------------------------------------------------------

    private static void requireText(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) throw new IllegalArgumentException("text must not be blank");
    }

    /** The reason an application's id cannot be used, or null; ids the client itself makes never clash with these. */
    private static String badId(String id) {
        if (id.isEmpty() || id.length() > MAX_ID_CHARS) return "an id has 1 to " + MAX_ID_CHARS + " characters";
        if (id.startsWith("j.") || id.startsWith("l.")) return "ids starting with 'j.' or 'l.' are the client's own";
        if (Codec.hasLoneSurrogate(id)) return "the id contains a lone surrogate (not valid Unicode)";
        return null;
    }

    @SuppressWarnings("unchecked")
    private <T> CompletionStage<T> submit(Kind kind, String room, String appId,
                                          java.util.function.Function<String, String> frame, String text, String target) {
        if (state == State.CLOSED) return CompletableFuture.failedStage(closedException());
        if (appId != null && badId(appId) != null) {
            return CompletableFuture.failedStage(new SwitchboardException("invalid_frame", badId(appId)));
        }
        // Refused here: the server would refuse it too (invalid_frame, counted against the connection), and the
        // JDK's UTF-8 encoder cannot send it at all.
        if ((text != null && Codec.hasLoneSurrogate(text)) || (target != null && Codec.hasLoneSurrogate(target))) {
            return CompletableFuture.failedStage(new SwitchboardException("invalid_frame",
                    (text != null && Codec.hasLoneSurrogate(text) ? "text" : kind == Kind.DM ? "to" : "room")
                            + " contains a lone surrogate (not valid Unicode)"));
        }
        Welcome w = welcome;
        if (text != null && w != null) {
            int max = w.limit("textChars", Integer.MAX_VALUE);
            if (text.length() > max && text.codePointCount(0, text.length()) > max) {
                return CompletableFuture.failedStage(new SwitchboardException("text_too_long",
                        "text longer than " + max + " characters"));
            }
        }
        if (outstanding.incrementAndGet() > outboxLimit) {
            outstanding.decrementAndGet();
            return CompletableFuture.failedStage(new OutboxFullException(outboxLimit));
        }
        String id = appId != null ? appId
                : (kind == Kind.HISTORY || kind == Kind.DM_HISTORY ? "h-" : "") + idPrefix + "-" + ids.incrementAndGet();
        CompletableFuture<Object> f = new CompletableFuture<>();
        Request r = new Request(kind, id, frame.apply(id), f, room, null, 0);
        if (!post(() -> accept(r))) {
            outstanding.decrementAndGet();
            f.completeExceptionally(closedException());
        }
        return (CompletionStage<T>) f.minimalCompletionStage();
    }

    private void accept(Request r) {
        if (state == State.CLOSED) {
            outstanding.decrementAndGet();
            fail(r.future, closedException());
            return;
        }
        if (requests.containsKey(r.id)) {
            outstanding.decrementAndGet();
            fail(r.future, new SwitchboardException("duplicate_id", "a request with id '" + r.id + "' is still waiting"));
            return;
        }
        requests.put(r.id, r);
        if (isWelcomed()) enqueue(r.frame);
    }

    private void joinNow(String room, Long since, String epoch, CompletableFuture<Joined> f) {
        if (state == State.CLOSED) {
            fail(f, closedException());
            return;
        }
        RoomState rs = rooms.get(room);
        if (rs == null) {
            rs = new RoomState(room);
            if (since != null) {
                rs.order = new SeqOrder<>(since);
                rs.epoch = epoch;
            }
            rooms.put(room, rs);
            rs.waiters.add(f);
            if (isWelcomed()) sendJoin(rs);
        } else if (rs.joined) {
            complete(f, rs.last);
        } else {
            rs.waiters.add(f);
        }
    }

    private void leaveNow(String room, CompletableFuture<Void> f) {
        RoomState rs = rooms.remove(room);
        if (rs == null) {
            complete(f, null);
            return;
        }
        cancel(rs.retry);
        for (CompletableFuture<Joined> w : rs.waiters) fail(w, new SwitchboardException("left", "left room '" + room + "'"));
        if (rs.joined && isWelcomed()) {
            CompletableFuture<Void> previous = leaving.put(room, f);
            if (previous != null) complete(previous, null);
            enqueue(Codec.leave("l." + room, room));
        } else {
            complete(f, null); // a join on its way is answered by a leave when its joined arrives
        }
    }

    private void sendJoin(RoomState rs) {
        enqueue(Codec.join("j." + rs.name, rs.name, rs.order == null ? null : rs.order.delivered(), rs.epoch));
    }

    // --- connecting ----------------------------------------------------------------------------------------------

    /** One connection attempt and, if it gets there, the connection. Its callbacks only post to the loop. */
    private final class Conn implements WebSocket.Listener {
        volatile WebSocket ws;
        boolean welcomed;
        long welcomedAt;
        long lastHeard = System.nanoTime();
        long silenceNanos;
        ScheduledFuture<?> welcomeTimer;
        ScheduledFuture<?> silenceTimer;
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String frame = text.toString();
            text.setLength(0);
            // The next frame is requested once this one is handled: a busy client reads no faster than it works.
            if (!post(() -> {
                onFrame(this, frame);
                webSocket.request(1);
            })) webSocket.abort();
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            // The JDK answers with a pong by itself; a ping still shows the server is there.
            post(() -> heard(this));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            post(() -> heard(this));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            post(() -> lost(this, statusCode, reason == null || reason.isEmpty() ? "" : reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            post(() -> lost(this, 1006, describe(error)));
        }
    }

    private boolean isWelcomed() {
        return conn != null && conn.welcomed;
    }

    private void startConnect() {
        reconnectTimer = null;
        if (state == State.CLOSED) return;
        setState(State.CONNECTING, null);
        Conn c = new Conn();
        conn = c;
        CompletableFuture<String> token = refreshable
                ? CompletableFuture.supplyAsync(tokens, TOKEN_POOL)
                : CompletableFuture.completedFuture(tokens.get());
        token.whenComplete((t, err) -> post(() -> {
            if (conn != c) return;
            if (err != null || t == null || t.isBlank()) {
                lost(c, -1, "token supplier failed: " + (err == null ? "no token" : describe(err)));
            } else {
                open(c, t);
            }
        }));
    }

    private void open(Conn c, String token) {
        WebSocket.Builder b = http.newWebSocketBuilder()
                .connectTimeout(connectTimeout)
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", "switchboard-java-client");
        b.buildAsync(connectUri(), c).whenComplete((ws, err) -> {
            boolean posted = post(() -> {
                if (err != null) {
                    lost(c, -1, "connect failed: " + describe(err));
                } else if (conn != c) {
                    ws.abort();
                } else {
                    c.ws = ws;
                    if (!c.welcomed) {
                        c.welcomeTimer = loop.schedule(() -> {
                            if (conn == c && !c.welcomed) lost(c, -1, "no welcome within " + connectTimeout.toMillis() + " ms");
                        }, connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
                    }
                }
            });
            if (!posted && ws != null) ws.abort(); // the client closed while this attempt was under way
        });
    }

    /** The endpoint, with the DM stream's position once there is one, so that the server replays what came after. */
    private URI connectUri() {
        if (dms.order == null) return uri;
        StringBuilder q = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery() + "&");
        q.append("dmSince=").append(dms.order.delivered());
        if (dms.epoch != null) q.append("&dmEpoch=").append(URLEncoder.encode(dms.epoch, StandardCharsets.UTF_8));
        String s = uri.toString();
        int cut = s.indexOf('?');
        if (cut < 0) cut = s.indexOf('#');
        return URI.create((cut < 0 ? s : s.substring(0, cut)) + "?" + q);
    }

    private void heard(Conn c) {
        if (conn == c) c.lastHeard = System.nanoTime();
    }

    private void onWelcome(Conn c, Welcome w) {
        long now = System.nanoTime();
        c.welcomed = true;
        c.welcomedAt = now;
        cancel(c.welcomeTimer);
        welcome = w;
        lastCloseCode = 0;
        // Stay under the server's limits with a margin: frames sent at a steady pace may still arrive in bunches.
        pacer = new Pacer(Math.max(1, w.limit("ratePerSecond", 20) * 0.9), Math.max(1, w.limit("burst", 40) / 2.0), now);
        pageMax = Math.max(1, w.limit("historyPageMax", DEFAULT_PAGE_MAX));
        long heartbeat = w.heartbeat().toNanos();
        if (heartbeat > 0) {
            c.silenceNanos = 2 * heartbeat;
            c.silenceTimer = loop.scheduleWithFixedDelay(() -> checkSilence(c), heartbeat / 2, heartbeat / 2, TimeUnit.NANOSECONDS);
        }
        setState(State.CONNECTED, null);
        onDmPosition(w.dms());
        // Joins first: the server accepts a send right after the join frame of its room.
        for (RoomState rs : rooms.values()) sendJoin(rs);
        for (Request r : requests.values()) {
            cancel(r.retry);
            r.retry = null;
            enqueue(r.frame);
        }
        deliver(dms); // after a reset: re-page the newest
        complete(firstWelcome, w);
    }

    /** The DM stream's position from welcome: keep, start, or (epoch changed, stream shorter) reset ours. */
    private void onDmPosition(Position p) {
        dms.streamed = p != null;
        if (p == null) return;
        if (dms.order == null) {
            dms.order = new SeqOrder<>(p.seq()); // a fresh client: live from here; older ones through dmHistory
            dms.epoch = p.epoch();
        } else if (mustReset(dms, p.seq(), p.epoch())) {
            reset(dms, p.seq(), p.epoch());
        } else if (p.epoch() != null) {
            dms.epoch = p.epoch();
        }
    }

    /** The spec's rule: another epoch than the stored one, or a sequence shorter than what was delivered. */
    private static boolean mustReset(Stream s, long seq, String epoch) {
        return (s.epoch != null && epoch != null && !s.epoch.equals(epoch)) || seq < s.order.delivered();
    }

    /**
     * Drops the stream's position: tells the application, then delivers the newest {@code resetPage} messages
     * again (fetched as a gap up to {@code seq}), then what follows live.
     */
    private void reset(Stream s, long seq, String epoch) {
        Position dropped = new Position(s.order.delivered(), s.epoch);
        s.order.restart(Math.max(0, seq - resetPage));
        s.epoch = epoch;
        s.fillTo = seq;
        s.fetching = false;
        Reset r = new Reset(s.room(), dropped, new Position(seq, epoch));
        emit(l -> l.onReset(r));
    }

    private void checkSilence(Conn c) {
        if (conn != c) return;
        long silent = System.nanoTime() - c.lastHeard;
        if (silent > c.silenceNanos) lost(c, -1, "no frame for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
    }

    /** The connection or attempt is over: clean up, then stop for good or schedule the next attempt. */
    private void lost(Conn c, int code, String reason) {
        if (conn != c) return;
        conn = null;
        if (c.ws != null) c.ws.abort();
        cancel(c.welcomeTimer);
        cancel(c.silenceTimer);
        resetConnectionState();
        if (state == State.CLOSED) return;

        String why = code >= 0 ? code + (reason.isEmpty() ? "" : " " + reason) : reason;
        boolean terminal = code == 4003
                || (code == 4001 && (!refreshable || lastCloseCode == 4001))
                || (code == 4002 && !refreshable);
        if (terminal) {
            terminate(code, reason);
            return;
        }
        lastCloseCode = code;
        if (code == CLOSE_DRAINING && c.welcomed) {
            // The node is being taken out of service, not failing: reconnect at once (a load balancer picks another
            // node) after a short jitter, and resume as after any reconnect. Not counted as a failed attempt. A 1012
            // before a welcome (a draining node refusing a new connection) falls through to the usual backoff.
            failures = 0;
            long delay = (long) (ThreadLocalRandom.current().nextDouble() * DRAIN_JITTER_NANOS);
            setState(State.RECONNECTING, why);
            reconnectTimer = loop.schedule(this::startConnect, delay, TimeUnit.NANOSECONDS);
            return;
        }
        if (c.welcomed && System.nanoTime() - c.welcomedAt >= STABLE_NANOS) failures = 0;
        failures++;
        if (maxTries > 0 && failures >= maxTries) {
            terminate(-1, "gave up after " + failures + " failed attempt(s); last: " + why);
            return;
        }
        long delay = backoff.delayNanos(failures - 1, () -> ThreadLocalRandom.current().nextDouble());
        setState(State.RECONNECTING, why);
        reconnectTimer = loop.schedule(this::startConnect, delay, TimeUnit.NANOSECONDS);
    }

    /** What belonged to the connection goes; rooms keep their delivered seq, requests stay for the next one. */
    private void resetConnectionState() {
        wire.clear();
        writing = false;
        pacer = null;
        cancel(pumpTimer);
        pumpTimer = null;
        for (RoomState rs : rooms.values()) {
            rs.joined = false;
            cancel(rs.retry);
            rs.retry = null;
            forgetHeld(rs);
        }
        forgetHeld(dms);
        for (Iterator<Request> it = requests.values().iterator(); it.hasNext(); ) {
            Request r = it.next();
            cancel(r.retry);
            r.retry = null;
            if (r.kind == Kind.GAP) it.remove();
        }
        for (CompletableFuture<Void> f : leaving.values()) complete(f, null);
        leaving.clear();
    }

    /** Held and missing items come again: the rejoin's replay, or the DM replay after dmSince, brings them. */
    private static void forgetHeld(Stream s) {
        s.fetching = false;
        s.fillTo = 0;
        if (s.order != null) s.order.clearHeld();
    }

    private void terminate(int code, String reason) {
        if (state == State.CLOSED) return;
        ClientClosedException cause = new ClientClosedException(code, reason);
        closedCause = cause;
        Conn c = conn;
        conn = null;
        cancel(reconnectTimer);
        if (c != null) {
            cancel(c.welcomeTimer);
            cancel(c.silenceTimer);
            WebSocket ws = c.ws;
            if (ws != null) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
                JANITOR.schedule(ws::abort, 1, TimeUnit.SECONDS); // if the server never answers the close
            }
        }
        resetConnectionState();
        setState(State.CLOSED, code >= 0 ? code + " " + reason : reason);
        fail(firstWelcome, cause);
        for (Request r : requests.values()) {
            if (r.counted()) {
                outstanding.decrementAndGet();
                fail(r.future, cause);
            }
        }
        requests.clear();
        for (RoomState rs : rooms.values()) for (CompletableFuture<Joined> w : rs.waiters) fail(w, cause);
        rooms.clear();
        callbacks.shutdown(); // runs what is queued, then ends
        loop.shutdown();
    }

    // --- receiving -----------------------------------------------------------------------------------------------

    private void onFrame(Conn c, String text) {
        if (conn != c) return;
        c.lastHeard = System.nanoTime();
        Object f;
        try {
            f = Codec.decode(text);
        } catch (SwitchboardException e) {
            report(e);
            return;
        }
        if (!c.welcomed) {
            if (f instanceof Welcome w) onWelcome(c, w);
            return;
        }
        if (f instanceof Message m) {
            onRoomItem(m.room(), m.seq(), m);
        } else if (f instanceof SystemNotice s) {
            if (s.room() != null && s.seq() != null) onRoomItem(s.room(), s.seq(), s);
            else emit(l -> l.onSystem(s));
        } else if (f instanceof DirectMessage d) {
            onDirect(d);
        } else if (f instanceof Ack a) {
            Request r = requests.get(a.id());
            if (r != null && (r.kind == Kind.SEND || r.kind == Kind.DM)) {
                finish(r);
                complete(r.future, a);
            }
        } else if (f instanceof Codec.HistoryFrame h) {
            Request r = h.id() == null ? null : requests.get(h.id());
            if (r == null) return;
            finish(r);
            if (r.kind == Kind.GAP) onGapPage(r, h.history().messages());
            else complete(r.future, h.history());
        } else if (f instanceof Codec.DmHistoryFrame h) {
            Request r = h.id() == null ? null : requests.get(h.id());
            if (r == null) return;
            finish(r);
            if (r.kind == Kind.GAP) onGapPage(r, h.history().messages());
            else complete(r.future, h.history());
        } else if (f instanceof Joined j) {
            onJoined(j);
        } else if (f instanceof Codec.LeftFrame l) {
            onLeft(l);
        } else if (f instanceof Presence p) {
            emit(l -> l.onPresence(p));
        } else if (f instanceof Deleted d) {
            onDeleted(d);
        } else if (f instanceof Kicked k) {
            emit(l -> l.onKicked(k));
        } else if (f instanceof Codec.ErrorFrame e) {
            onErrorFrame(e);
        }
    }

    private void onJoined(Joined j) {
        RoomState rs = rooms.get(j.room());
        if (rs == null) { // left while the join was on its way
            enqueue(Codec.leave("l." + j.room(), j.room()));
            return;
        }
        rs.joined = true;
        rs.last = j;
        if (rs.order == null) {
            rs.order = new SeqOrder<>(j.seq());
            rs.epoch = j.epoch();
        } else if (mustReset(rs, j.seq(), j.epoch())) {
            reset(rs, j.seq(), j.epoch()); // the server replayed nothing: the re-page brings the newest
        } else if (j.epoch() != null) {
            rs.epoch = j.epoch();
        }
        emit(l -> l.onJoined(j));
        for (CompletableFuture<Joined> w : rs.waiters) complete(w, j);
        rs.waiters.clear();
        deliver(rs);
    }

    private void onLeft(Codec.LeftFrame l) {
        String room = l.left().room();
        if (l.left().reason() != null) { // the server took us out (room closed): do not rejoin
            RoomState rs = rooms.remove(room);
            if (rs != null) {
                cancel(rs.retry);
                for (CompletableFuture<Joined> w : rs.waiters) fail(w, new SwitchboardException(l.left().reason(), "room '" + room + "'"));
                emit(x -> x.onLeft(l.left()));
            }
            return;
        }
        CompletableFuture<Void> f = leaving.remove(room);
        if (f != null) complete(f, null);
    }

    private void onRoomItem(String room, long seq, Object item) {
        RoomState rs = rooms.get(room);
        if (rs == null || rs.order == null) return;
        if (rs.order.offer(seq, item)) deliver(rs);
    }

    private void onDirect(DirectMessage d) {
        if (!dms.streamed || dms.order == null) { // a server without DM streams: deliver each seq once, rising
            if (d.seq() > dms.legacyLast) {
                dms.legacyLast = d.seq();
                emit(l -> l.onDirectMessage(d));
            }
            return;
        }
        if (dms.order.offer(d.seq(), d)) deliver(dms);
    }

    /** Seqs that must come before anything more is delivered: a hole before held items, or the rest of a re-page. */
    private static SeqOrder.Gap missing(Stream s) {
        SeqOrder.Gap gap = s.order.gap();
        if (gap != null) return gap;
        long next = s.order.delivered() + 1;
        return s.order.held() == 0 && next <= s.fillTo ? new SeqOrder.Gap(next, s.fillTo) : null;
    }

    private boolean live(Stream s) {
        if (s instanceof RoomState rs) return rooms.get(rs.name) == rs;
        return true;
    }

    /** Delivers what is in order, then asks for the first missing seqs if they block the rest. */
    private void deliver(Stream s) {
        if (s.order == null) return;
        for (Object item : s.order.drain()) emitItem(s, item);
        if (s.order.delivered() >= s.fillTo) s.fillTo = 0;
        if (s.fetching || !isWelcomed() || (s instanceof RoomState rs && !rs.joined)) return;
        SeqOrder.Gap gap = missing(s);
        if (gap == null) return;
        // history returns the newest `limit` messages below `before`: asking for exactly the gap's first page
        // pages forwards, so delivery can start before the whole gap is in.
        long before = Math.min(gap.to() + 1, gap.from() + pageMax);
        int limit = (int) (before - gap.from());
        String id = "g-" + idPrefix + "-" + ids.incrementAndGet();
        String frame = s.room() == null ? Codec.dmHistory(id, before, limit) : Codec.history(id, s.room(), before, limit);
        Request r = new Request(Kind.GAP, id, frame, null, s.room(), s, before);
        requests.put(id, r);
        s.fetching = true;
        enqueue(r.frame);
    }

    private void onGapPage(Request r, List<?> page) {
        Stream s = r.stream;
        if (!live(s) || s.order == null) return;
        s.fetching = false;
        for (Object m : page) {
            if (m instanceof Message msg) s.order.offer(msg.seq(), msg);
            else if (m instanceof DirectMessage d) s.order.offer(d.seq(), d);
        }
        for (Object item : s.order.drain()) emitItem(s, item);
        SeqOrder.Gap gap = missing(s);
        if (gap != null && gap.from() < r.before) { // the page should have covered it: those seqs do not exist
            skip(s, new SeqOrder.Gap(gap.from(), Math.min(gap.to(), r.before - 1)), null);
        }
        deliver(s);
    }

    /** Gives up on seqs that cannot be fetched and goes on after them. */
    private void skip(Stream s, SeqOrder.Gap gap, SwitchboardException why) {
        report(new SwitchboardException("missing_messages", (s.room() == null ? "direct messages" : "room '" + s.room() + "'")
                + ": seq " + gap.from() + " to " + gap.to() + " could not be fetched"
                + (why == null ? "" : " (" + why.getMessage() + ")") + "; continuing after them"));
        s.order.skipTo(gap.to());
        for (Object item : s.order.drain()) emitItem(s, item);
    }

    private void emitItem(Stream s, Object item) {
        if (item instanceof DirectMessage d) emit(l -> l.onDirectMessage(d));
        else emitRoomItem(item);
    }

    private void emitRoomItem(Object item) {
        if (item instanceof Message m) {
            if (m.system() && !m.deleted()) {
                SystemNotice s = new SystemNotice(m.text(), m.room(), m.seq(), m.ts());
                emit(l -> l.onSystem(s));
            } else {
                emit(l -> l.onMessage(m));
            }
        } else if (item instanceof SystemNotice s) {
            emit(l -> l.onSystem(s));
        }
    }

    private void onDeleted(Deleted d) {
        RoomState rs = rooms.get(d.room());
        if (rs != null && rs.order != null && d.seq() > rs.order.delivered()) {
            // Not delivered yet: deliver it removed (held now, or fetched later, when history has it removed).
            rs.order.replace(d.seq(), item -> removed(item, d));
            return;
        }
        emit(l -> l.onDeleted(d));
    }

    private static Object removed(Object item, Deleted d) {
        if (item instanceof Message m) {
            return new Message(m.room(), m.seq(), m.id(), m.from(), m.name(), "", m.ts(), m.system(), true);
        }
        SystemNotice s = (SystemNotice) item;
        return new Message(d.room(), d.seq(), null, "system", null, "", s.ts(), true, true);
    }

    private void onErrorFrame(Codec.ErrorFrame e) {
        SwitchboardException ex = new SwitchboardException(e.code(), e.message());
        String id = e.id();
        if (id != null) {
            Request r = requests.get(id);
            if (r != null) {
                if (retryable(e.code()) || waitingForRejoin(r, e.code())) {
                    scheduleRetry(r, e.code());
                } else if (r.kind == Kind.GAP) {
                    finish(r);
                    Stream s = r.stream;
                    if (live(s) && s.order != null) {
                        s.fetching = false;
                        SeqOrder.Gap gap = missing(s);
                        if (gap != null) skip(s, gap, ex);
                        deliver(s);
                    }
                } else if ("id_conflict".equals(e.code())) {
                    // The id already names another message: sending it again can never succeed.
                    finish(r);
                    fail(r.future, new SwitchboardException("id_conflict", "id '" + id + "' already names another "
                            + "message of this user; this one was not stored (" + e.message() + ")"));
                } else {
                    finish(r);
                    fail(r.future, ex);
                }
                return;
            }
            if (id.startsWith("j.")) {
                onJoinRefused(id.substring(2), e.code(), ex);
                return;
            }
            if (id.startsWith("l.")) { // not_joined: we are not in it, which is what was asked
                CompletableFuture<Void> f = leaving.remove(id.substring(2));
                if (f != null) complete(f, null);
                return;
            }
        }
        report(ex);
    }

    private void onJoinRefused(String room, String code, SwitchboardException ex) {
        RoomState rs = rooms.get(room);
        if (rs == null || rs.joined) return;
        if (retryable(code)) {
            Conn c = conn;
            cancel(rs.retry);
            rs.retry = loop.schedule(() -> {
                rs.retry = null;
                if (conn == c && isWelcomed() && rooms.get(room) == rs && !rs.joined) sendJoin(rs);
            }, retryDelay(code, 1), TimeUnit.NANOSECONDS);
            return;
        }
        rooms.remove(room);
        for (CompletableFuture<Joined> w : rs.waiters) fail(w, ex);
        if (rs.waiters.isEmpty()) report(ex); // a rejoin after a reconnect failed: nobody else hears of it
        rs.waiters.clear();
    }

    private static boolean retryable(String code) {
        return "busy".equals(code) || "unavailable".equals(code) || "rate_limited".equals(code);
    }

    /** A send refused because its room's rejoin is still on its way (the join got busy): try again. */
    private boolean waitingForRejoin(Request r, String code) {
        if (r.kind != Kind.SEND || !"not_joined".equals(code)) return false;
        RoomState rs = rooms.get(r.room);
        return rs != null && !rs.joined;
    }

    private void scheduleRetry(Request r, String code) {
        cancel(r.retry);
        r.retries++;
        Conn c = conn;
        r.retry = loop.schedule(() -> {
            r.retry = null;
            if (conn == c && isWelcomed() && requests.get(r.id) == r) enqueue(r.frame);
        }, retryDelay(code, r.retries), TimeUnit.NANOSECONDS);
    }

    private long retryDelay(String code, int attempt) {
        long floor = TimeUnit.MILLISECONDS.toNanos("rate_limited".equals(code) ? 1000 : 50);
        return floor + RETRY.delayNanos(attempt, () -> ThreadLocalRandom.current().nextDouble());
    }

    private void finish(Request r) {
        requests.remove(r.id);
        cancel(r.retry);
        r.retry = null;
        if (r.counted()) outstanding.decrementAndGet();
    }

    // --- sending -------------------------------------------------------------------------------------------------

    private void enqueue(String frame) {
        wire.add(frame);
        pump();
    }

    /** Writes the next frame: one in flight at a time (the JDK allows no more), paced by the server's rate. */
    private void pump() {
        Conn c = conn;
        if (writing || c == null || c.ws == null || pacer == null || wire.isEmpty() || pumpTimer != null) return;
        long wait = pacer.take(System.nanoTime());
        if (wait > 0) {
            pumpTimer = loop.schedule(() -> {
                pumpTimer = null;
                pump();
            }, wait, TimeUnit.NANOSECONDS);
            return;
        }
        String frame = wire.poll();
        writing = true;
        c.ws.sendText(frame, true).whenComplete((ws, err) -> post(() -> {
            if (conn != c) return;
            if (err != null) {
                // Once the server's close frame arrived the JDK closes its output, and a write in flight fails,
                // often before the close's code is reported. The code decides how to reconnect (a drain's 1012: at
                // once), so the close gets a moment to arrive first. Nothing more is written here (writing stays set).
                String why = "write failed: " + describe(err);
                loop.schedule(() -> lost(c, -1, why), CLOSE_AFTER_WRITE_FAILURE_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            writing = false;
            pump();
        }));
    }

    // --- plumbing ------------------------------------------------------------------------------------------------

    private void setState(State next, String reason) {
        if (state == next) return;
        state = next;
        emit(l -> l.onStateChange(next, reason));
    }

    private void report(SwitchboardException e) {
        emit(l -> l.onError(e));
    }

    private void emit(Consumer<Listener> call) {
        onCallbacks(() -> {
            try {
                call.accept(listener);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "A Switchboard client listener threw", e);
            }
        });
    }

    private <T> void complete(CompletableFuture<T> f, T value) {
        onCallbacks(() -> f.complete(value));
    }

    private <T> void fail(CompletableFuture<T> f, Throwable e) {
        onCallbacks(() -> f.completeExceptionally(e));
    }

    private void onCallbacks(Runnable r) {
        try {
            callbacks.execute(r);
        } catch (RejectedExecutionException e) {
            r.run(); // only after close: nothing is left to keep in order with
        }
    }

    /** Runs on the protocol thread; false when the client is closed. */
    private boolean post(Runnable r) {
        try {
            loop.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Switchboard client bug; the connection is reset", e);
                    Conn c = conn;
                    if (c != null) lost(c, -1, "internal error: " + e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private ClientClosedException closedException() {
        ClientClosedException c = closedCause;
        return c != null ? c : new ClientClosedException(1000, "closed by the application");
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) f.cancel(false);
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static ThreadFactory daemon(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One HTTP client (one selector thread) shared by every client that was not given its own. */
    private static final class DefaultHttp {
        static final HttpClient CLIENT = HttpClient.newHttpClient();
    }

    /** Settings of a {@link SwitchboardClient}; only the URI and a token (or supplier) are required. */
    public static final class Builder {
        private final URI uri;
        private Supplier<String> tokens;
        private boolean refreshable;
        private Duration base = Duration.ofMillis(250);
        private Duration cap = Duration.ofSeconds(30);
        private int maxTries;
        private int outboxLimit = 1000;
        private Listener listener = new Listener() {};
        private HttpClient http;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int resetPage = 50;
        private Position dmResume;

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme();
            if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("a WebSocket URI (ws:// or wss://) is needed, not " + uri);
            }
        }

        /** A fixed client token: on 4001 or 4002 (expired) the client stops, since it cannot get another. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            this.tokens = () -> token;
            this.refreshable = false;
            return this;
        }

        /**
         * Called (on a pool thread, never the caller's) before every connection attempt, so an expired token is
         * replaced before reconnecting; it may cache a token while it is valid. With a supplier, 4002 reconnects
         * with its next token, and 4001 does too unless the next token is refused as well.
         */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.tokens = Objects.requireNonNull(supplier, "supplier");
            this.refreshable = true;
            return this;
        }

        /**
         * Backoff between attempts: uniform in [0, min(cap, base * 2^n)] before the n-th attempt in a row (default
         * 250 ms, 30 s). {@code maxTries}: failed attempts in a row before the client stops; 0 (default) tries
         * forever. A connection counts as successful once it stayed up for 5 seconds after its welcome.
         */
        public Builder reconnect(Duration base, Duration cap, int maxTries) {
            new Backoff(base, cap); // validates
            if (maxTries < 0) throw new IllegalArgumentException("maxTries must be 0 (forever) or more");
            this.base = base;
            this.cap = cap;
            this.maxTries = maxTries;
            return this;
        }

        /** Most send, dm and history requests waiting for an answer (default 1000); beyond it they fail at once. */
        public Builder outboxLimit(int limit) {
            if (limit < 1) throw new IllegalArgumentException("outboxLimit must be positive");
            this.outboxLimit = limit;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The HTTP client to open WebSockets with (default: one shared by all clients of this JVM). */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "client");
            return this;
        }

        /** How long opening the WebSocket, and then waiting for welcome, may each take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * How many of the newest messages the client delivers again after a reset ({@link Listener#onReset}) of a
         * room or of the DM stream (default 50; 0: none, the application pages history itself).
         */
        public Builder resetPage(int messages) {
            if (messages < 0) throw new IllegalArgumentException("resetPage must not be negative");
            this.resetPage = messages;
            return this;
        }

        /**
         * Resumes the direct-message stream from a position an earlier run stored (the seq of the last
         * {@link DirectMessage} it delivered, and the epoch from {@link Welcome#dms()} or {@link Reset#current()}):
         * the first connection asks the server for every DM after it. Without it, the client starts at the
         * stream's latest position and older DMs are read with {@link SwitchboardClient#dmHistory(Long, Integer)}.
         */
        public Builder dmResume(Position position) {
            this.dmResume = Objects.requireNonNull(position, "position");
            return this;
        }

        public SwitchboardClient build() {
            if (tokens == null) throw new IllegalStateException("set token(...) or tokenSupplier(...)");
            return new SwitchboardClient(this);
        }
    }
}
