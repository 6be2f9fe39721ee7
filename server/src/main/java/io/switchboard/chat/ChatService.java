package io.switchboard.chat;

import io.switchboard.auth.ClientPrincipal;
import io.switchboard.metrics.Metrics;
import io.switchboard.protocol.ClientFrame;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ProtocolException;
import io.switchboard.protocol.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a chat connection may do: admits connections, validates every client frame and hands the work to the
 * {@link Sequencer} (ordered writes) or the read executor (history). Runs on Jetty threads and never blocks.
 */
public final class ChatService {
    private static final Logger log = LoggerFactory.getLogger(ChatService.class);
    private static final int DEFAULT_HISTORY_PAGE = 50;

    private final Hub hub;
    private final Sequencer sequencer;
    private final ChatStore store;
    private final FrameCodec codec;
    private final Limits limits;
    private final Executor readers;
    private final Duration heartbeat;
    private final Duration heartbeatTimeout;
    private final Bans bans;
    private final Metrics metrics;
    private final io.switchboard.presence.ConnectionRegistry registry;

    /** @param registry counts each user's connections over every node (a single node's is a no-op) */
    public ChatService(Hub hub, Sequencer sequencer, ChatStore store, FrameCodec codec, Limits limits,
                       Executor readers, Duration heartbeat, Duration heartbeatTimeout, Bans bans, Metrics metrics,
                       io.switchboard.presence.ConnectionRegistry registry) {
        this.registry = registry;
        this.hub = hub;
        this.sequencer = sequencer;
        this.store = store;
        this.codec = codec;
        this.limits = limits;
        this.readers = readers;
        this.heartbeat = heartbeat;
        this.heartbeatTimeout = heartbeatTimeout;
        this.bans = bans;
        this.metrics = metrics;
    }

    public static boolean isValidRoomName(String room) {
        return RoomNames.isValid(room);
    }

    /**
     * Admits an authenticated connection; null when a connection limit refused it (the peer is closed). The welcome
     * and the DM stream follow from the sequencer: replayed after {@code dmSince} when given (and {@code dmEpoch}, if
     * given, is the current epoch), else live from the welcome on.
     */
    public Connection open(ClientPrincipal principal, String remoteAddress, String userAgent, Peer peer,
                           Long dmSince, String dmEpoch) {
        long now = System.currentTimeMillis();
        if (bans.active(principal.user(), now).isPresent()) {
            peer.close(CloseCodes.BANNED, "banned", true);
            return null;
        }
        Connection c = new Connection(nextConnectionId(), principal, remoteAddress, userAgent, now, peer, limits, metrics,
                this::cleanup);
        ServerFrame.Welcome welcome = new ServerFrame.Welcome(c.id(), principal.user(), principal.name(), now,
                heartbeat.toSeconds(), limits.forClients());
        Hub.Admission admission = hub.admit(c);
        if (admission != Hub.Admission.ADMITTED) {
            peer.close(CloseCodes.TOO_MANY_CONNECTIONS, admission == Hub.Admission.TOO_MANY_FOR_USER
                    ? "too_many_connections_user" : "too_many_connections_address", true);
            return null;
        }
        if (bans.active(principal.user(), System.currentTimeMillis()).isPresent()) {
            c.close(CloseCodes.BANNED, "banned"); // banned while this connection was being admitted
            return null;
        }
        // The cluster-wide count answers later (Redis); frames the client sends meanwhile are queued as usual, and
        // the outbox holds everything back until the welcome.
        registry.register(c.user(), c.id(), limits.connectionsPerUser()).whenComplete((admitted, error) -> {
            if (Boolean.FALSE.equals(admitted)) {
                c.close(CloseCodes.TOO_MANY_CONNECTIONS, "too_many_connections_user");
            } else {
                sequencer.submitInternal(new Command.Open(c, welcome, dmSince, dmEpoch));
            }
        });
        return c;
    }

    /** A random, unguessable id (see {@link ConnectionIds}); it names the connection in admin calls and logs. */
    private static String nextConnectionId() {
        return ConnectionIds.next();
    }

    private void cleanup(Connection c) {
        if (hub.remove(c)) {
            registry.remove(c.user(), c.id());
            sequencer.submitInternal(new Command.Disconnect(c));
        }
    }

    /** Handles one text frame from the client. */
    public void onText(Connection c, String text) {
        if (c.isClosed()) return;
        long receivedNanos = System.nanoTime();
        c.received(System.currentTimeMillis());
        metrics.messagesIn.mark();
        try {
            if (text.length() > limits.frameBytes() / 3 && text.getBytes(StandardCharsets.UTF_8).length > limits.frameBytes()) {
                throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
                        "frame larger than " + limits.frameBytes() + " bytes", null);
            }
            ClientFrame frame = codec.decode(text);
            if (!c.rate.tryTake(System.nanoTime())) {
                throw new ProtocolException(ErrorCode.RATE_LIMITED,
                        "more than " + limits.ratePerSecond() + " frames per second; slow down and retry", frame.id());
            }
            handle(c, frame, receivedNanos);
        } catch (ProtocolException e) {
            reject(c, e);
        } catch (RuntimeException e) {
            log.error("Unexpected failure handling a frame of connection {}", c.id(), e);
            c.deliver(codec.encode(new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "internal error", null)));
        }
    }

    /** Tells a client that a connection parameter was ignored (the connection stays open). */
    public void refuseParameter(Connection c, String parameter, String rule) {
        metrics.error(ErrorCode.INVALID_FRAME.wire());
        c.deliver(codec.encode(new ServerFrame.Error(ErrorCode.INVALID_FRAME.wire(),
                "query parameter '" + parameter + "' " + rule + "; it was ignored", null)));
    }

    public void onBinary(Connection c) {
        if (c.isClosed()) return;
        c.received(System.currentTimeMillis());
        metrics.messagesIn.mark();
        reject(c, new ProtocolException(ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not supported; send JSON text", null));
    }

    /** Answers with an error frame; a connection that keeps causing errors is closed. */
    private void reject(Connection c, ProtocolException e) {
        metrics.error(e.code().wire());
        c.deliver(codec.encode(e.toFrame()));
        boolean serverSide = e.code() == ErrorCode.BUSY || e.code() == ErrorCode.UNAVAILABLE;
        if (!serverSide && !c.violations.tryTake(System.nanoTime())) {
            c.close(CloseCodes.POLICY_VIOLATION, "policy_violation");
        }
    }

    private void handle(Connection c, ClientFrame frame, long receivedNanos) throws ProtocolException {
        frame.accept(new ClientFrame.Visitor<ProtocolException>() {
            @Override
            public void join(ClientFrame.Join j) throws ProtocolException {
                ChatService.this.join(c, j);
            }

            @Override
            public void leave(ClientFrame.Leave l) throws ProtocolException {
                checkRoomName(l.room(), l.id());
                if (!c.rooms.remove(l.room())) throw notJoined(l.room(), l.id());
                if (!sequencer.submit(new Command.Leave(c, l.id(), l.room()))) {
                    c.rooms.add(l.room());
                    throw busy(l.id());
                }
            }

            @Override
            public void send(ClientFrame.Send s) throws ProtocolException {
                checkRoomName(s.room(), s.id());
                if (!c.rooms.contains(s.room())) throw notJoined(s.room(), s.id());
                checkText(s.text(), s.id());
                if (!sequencer.submit(new Command.Publish(c, s.id(), s.room(), s.text(), receivedNanos))) throw busy(s.id());
            }

            @Override
            public void dm(ClientFrame.Dm d) throws ProtocolException {
                String toProblem = io.switchboard.auth.ClientTokens.userIdProblem("field 'to'", d.to());
                if (toProblem != null) {
                    throw new ProtocolException(ErrorCode.INVALID_FRAME, toProblem + " (a user id, as in a token's sub)", d.id());
                }
                checkText(d.text(), d.id());
                if (!sequencer.submit(new Command.Direct(c, d.id(), d.to(), d.text()))) throw busy(d.id());
            }

            @Override
            public void history(ClientFrame.History h) throws ProtocolException {
                ChatService.this.history(c, h);
            }

            @Override
            public void dmHistory(ClientFrame.DmHistory h) throws ProtocolException {
                ChatService.this.dmHistory(c, h);
            }

            @Override
            public void ping(ClientFrame.Ping p) {
                c.deliver(codec.encode(new ServerFrame.Pong(p.id(), System.currentTimeMillis())));
            }
        });
    }

    private void join(Connection c, ClientFrame.Join j) throws ProtocolException {
        checkRoomName(j.room(), j.id());
        if (!c.principal().mayJoin(j.room())) {
            throw new ProtocolException(ErrorCode.ROOM_FORBIDDEN, "your token does not allow room '" + j.room() + "'", j.id());
        }
        boolean added;
        synchronized (c.rooms) { // check and add as one step: frames of one connection may race with clean-up
            if (!c.rooms.contains(j.room()) && c.rooms.size() >= limits.roomsPerConnection()) {
                throw new ProtocolException(ErrorCode.TOO_MANY_ROOMS,
                        "at most " + limits.roomsPerConnection() + " rooms per connection", j.id());
            }
            added = c.rooms.add(j.room());
        }
        if (!sequencer.submit(new Command.Join(c, j.id(), j.room(), j.since(), j.epoch()))) {
            if (added) c.rooms.remove(j.room());
            throw busy(j.id());
        }
    }

    private void history(Connection c, ClientFrame.History h) throws ProtocolException {
        checkRoomName(h.room(), h.id());
        if (!c.principal().mayJoin(h.room())) {
            throw new ProtocolException(ErrorCode.ROOM_FORBIDDEN, "your token does not allow room '" + h.room() + "'", h.id());
        }
        int limit = pageLimit(h.limit());
        long before = h.before() == null ? Long.MAX_VALUE : h.before();
        readPage(c, h.id(), "room " + h.room(), () -> {
            List<ServerFrame.Message> page = store.messagesBefore(h.room(), before, limit + 1);
            if (page.isEmpty() && !store.roomExists(h.room())) {
                return new ProtocolException(ErrorCode.ROOM_NOT_FOUND, "room '" + h.room() + "' does not exist", h.id()).toFrame();
            }
            boolean hasMore = page.size() > limit;
            return new ServerFrame.History(h.id(), h.room(), hasMore ? page.subList(1, page.size()) : page, hasMore);
        });
    }

    /** A page of the user's own DM stream. */
    private void dmHistory(Connection c, ClientFrame.DmHistory h) throws ProtocolException {
        int limit = pageLimit(h.limit());
        long before = h.before() == null ? Long.MAX_VALUE : h.before();
        readPage(c, h.id(), "the DM stream of " + c.user(), () -> {
            List<ServerFrame.DirectMessage> page = store.dmsBefore(c.user(), before, limit + 1);
            boolean hasMore = page.size() > limit;
            return new ServerFrame.DmHistory(h.id(), hasMore ? page.subList(1, page.size()) : page, hasMore);
        });
    }

    private int pageLimit(Integer asked) {
        return Math.min(asked == null ? DEFAULT_HISTORY_PAGE : asked, limits.historyPageMax());
    }

    /** A store read that answers one client frame. */
    private interface PageRead {
        ServerFrame read() throws SQLException;
    }

    /** Runs a history read on the database readers (never on a Jetty thread) and sends its answer; busy when full. */
    private void readPage(Connection c, String frameId, String what, PageRead read) throws ProtocolException {
        try {
            readers.execute(() -> {
                try {
                    c.deliver(codec.encode(read.read()));
                } catch (SQLException e) {
                    log.warn("History read of {} failed: {}", what, e.toString());
                    c.deliver(codec.encode(new ServerFrame.Error(ErrorCode.UNAVAILABLE.wire(), "history unavailable, retry", frameId)));
                }
            });
        } catch (RejectedExecutionException e) {
            throw busy(frameId);
        }
    }

    private void checkRoomName(String room, String id) throws ProtocolException {
        if (!isValidRoomName(room)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM,
                    "room names are 1 to 64 letters, digits or _.:@#- and start with a letter or digit", id);
        }
    }

    private void checkText(String text, String id) throws ProtocolException {
        if (text.isBlank()) throw new ProtocolException(ErrorCode.INVALID_FRAME, "field 'text' must not be empty", id);
        if (text.length() > limits.textChars() && text.codePointCount(0, text.length()) > limits.textChars()) {
            throw new ProtocolException(ErrorCode.TEXT_TOO_LONG, "text longer than " + limits.textChars() + " characters", id);
        }
    }

    private static ProtocolException notJoined(String room, String id) {
        return new ProtocolException(ErrorCode.NOT_JOINED, "join room '" + room + "' first", id);
    }

    private static ProtocolException busy(String id) {
        return new ProtocolException(ErrorCode.BUSY, "server busy, retry shortly with the same id", id);
    }

    /**
     * How often {@link #checkLiveness()} runs for a given {@code heartbeat.timeout}: a twentieth of it, between 25 ms
     * and 500 ms. A silent connection is closed after the timeout and at most two periods later (the check that first
     * sees its last bytes, and the check that finds the timeout passed), so the slack is at most 1 s and at most a
     * tenth of the timeout. One pass over all connections reads two counters each: cheap enough for 50,000
     * connections twice a second, with no timer per connection.
     */
    public static Duration checkPeriod(Duration heartbeatTimeout) {
        long ms = Math.max(25, Math.min(500, heartbeatTimeout.toMillis() / 20));
        return Duration.ofMillis(ms);
    }

    /** Upper bound on how late after {@code heartbeat.timeout} (or a token's expiry) a connection is closed. */
    public static Duration closeSlack(Duration heartbeatTimeout) {
        return checkPeriod(heartbeatTimeout).multipliedBy(2);
    }

    /**
     * Closes connections that went silent past {@code heartbeat.timeout} (4000) or whose token expired (4002); runs
     * every {@link #checkPeriod(Duration)} on the timer thread.
     */
    public void checkLiveness() {
        long now = System.currentTimeMillis();
        long timeoutMillis = heartbeatTimeout.toMillis();
        for (Connection c : hub.connections()) c.checkLiveness(now, timeoutMillis);
    }

    /** Pings every connection; runs every {@code heartbeat.interval} on the timer thread. */
    public void ping() {
        for (Connection c : hub.connections()) c.ping();
    }

    public Hub hub() {
        return hub;
    }
}
