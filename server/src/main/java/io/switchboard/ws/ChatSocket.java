package io.switchboard.ws;

import io.switchboard.auth.ClientPrincipal;
import io.switchboard.auth.ClientTokens;
import io.switchboard.auth.TokenRejected;
import io.switchboard.chat.ChatService;
import io.switchboard.chat.Connection;
import io.switchboard.net.Addresses;
import io.switchboard.protocol.CloseCodes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat socket at {@code /ws}, served by Jetty's WebSocket upgrade handler in front of the Javalin app: an
 * upgrade costs no servlet request or Javalin context that would stay alive with every connection. Authenticates
 * at the upgrade and hands each connection's events to {@link ChatService}.
 */
public final class ChatSocket implements WebSocketCreator {
    private static final Logger log = LoggerFactory.getLogger(ChatSocket.class);
    private static final int MAX_USER_AGENT = 256;

    private final ChatService chat;
    private final ClientTokens tokens;
    private final OriginPolicy origins;
    private final ScheduledExecutorService scheduler;
    private final int outboxCapacity;
    private final BooleanSupplier draining;
    private final Compression compression;
    /** WebSocket sessions opened and not yet ended (closed or failed), refused ones included; guarded by itself. */
    private final SessionCount openSessions = new SessionCount();

    /** A count that {@link #awaitZero} can wait on without polling. */
    private static final class SessionCount {
        private int open;

        synchronized void opened() {
            open++;
        }

        synchronized void ended() {
            if (--open == 0) notifyAll();
        }

        /** Waits until no session is open, at most until {@code deadlineNanos}; true when none is. */
        synchronized boolean awaitZero(long deadlineNanos) throws InterruptedException {
            while (open > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /**
     * @param draining true while the node drains: new connections are then closed at once with 1012 draining
     * @param compression whether permessage-deflate is negotiated when a client offers it
     */
    public ChatSocket(ChatService chat, ClientTokens tokens, List<String> allowedOrigins,
                      ScheduledExecutorService scheduler, int outboxCapacity, BooleanSupplier draining,
                      Compression compression) {
        this.chat = chat;
        this.tokens = tokens;
        this.origins = new OriginPolicy(allowedOrigins);
        this.scheduler = scheduler;
        this.outboxCapacity = outboxCapacity;
        this.draining = draining;
        this.compression = compression;
    }

    /**
     * Waits until every WebSocket session has ended (its close handshake done, or cut off after the outbox's close
     * timeout), at most {@code timeout}: a server that stopped Jetty right after its last drain close could replace
     * that 1012 with Jetty's own 1001. Returns whether they all ended.
     */
    public boolean awaitSessionsEnded(Duration timeout) {
        try {
            return openSessions.awaitZero(System.nanoTime() + timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs at the upgrade: refuses foreign origins outright (403) and verifies the token. Never throws: whatever the
     * request holds (a token with odd claims, a query string that is not valid percent-encoding), the client gets a
     * 403 or a close frame, not a 500 whose log line would carry the request URI and with it the token.
     */
    @Override
    public Object createWebSocket(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String scheme = request.isSecure() ? "https" : "http";
        if (!origins.allows(request.getHeaders().getValuesList("Origin"), scheme, request.getHeaders().get("Host"))) {
            Response.writeError(request, response, callback, 403, "origin not allowed");
            return null;
        }
        // For every upgrade, also those closed right after it (drain, refused token), whose close frame is never compressed.
        compression.negotiate(request, response);
        if (draining.getAsBoolean()) {
            // Closed right after the upgrade, like a refused token, so that browsers see why: go to another node.
            return new Endpoint(this, null, null, null, null);
        }
        ClientTokens.Result auth;
        String dmSince = null;
        String dmEpoch = null;
        try {
            Fields query = Request.extractQueryParameters(request);
            dmSince = query.getValue("dmSince");
            dmEpoch = query.getValue("dmEpoch");
            auth = tokens.verify(tokenOf(request, query));
        } catch (RuntimeException e) {
            // Only the exception's class: its message may quote the query string, and with it the token.
            log.debug("Upgrade with an unreadable token refused ({})", e.getClass().getSimpleName());
            auth = ClientTokens.Result.rejected("token_invalid", false);
        }
        String userAgent = request.getHeaders().get("User-Agent");
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) userAgent = userAgent.substring(0, MAX_USER_AGENT);
        // A refused token is closed right after the upgrade, so that browsers, which cannot read an HTTP status, see why.
        return new Endpoint(this, auth, userAgent, dmSince, dmEpoch);
    }

    private static String tokenOf(ServerUpgradeRequest request, Fields query) {
        String token = query.getValue("token");
        String auth = request.getHeaders().get("Authorization");
        if ((token == null || token.isEmpty()) && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).trim();
        }
        return token;
    }

    /** One connection's events; public because Jetty reaches listeners reflectively. */
    public static final class Endpoint extends Session.Listener.AbstractAutoDemanding {
        private final ChatSocket socket;
        private final ClientTokens.Result auth;
        private final String userAgent;
        private final String dmSince;
        private final String dmEpoch;
        private Connection connection;
        private final AtomicBoolean ended = new AtomicBoolean();

        Endpoint(ChatSocket socket, ClientTokens.Result auth, String userAgent, String dmSince, String dmEpoch) {
            this.socket = socket;
            this.auth = auth;
            this.userAgent = userAgent;
            this.dmSince = dmSince;
            this.dmEpoch = dmEpoch;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            socket.openSessions.opened();
            if (auth == null) { // refused because the node drains
                session.close(CloseCodes.SERVICE_RESTART, io.switchboard.drain.Drain.REASON,
                        org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            ClientPrincipal principal = auth.principal();
            if (principal == null) {
                TokenRejected rejected = auth.rejected();
                session.close(rejected.expired() ? CloseCodes.TOKEN_EXPIRED : CloseCodes.UNAUTHORIZED, rejected.reason(),
                        org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            Outbox outbox = new Outbox(session, socket.outboxCapacity, socket.scheduler, Duration.ofSeconds(2));
            Long since = parsePosition(dmSince);
            boolean badSince = dmSince != null && since == null;
            boolean badEpoch = dmEpoch != null && (dmEpoch.length() > 64 || !io.switchboard.protocol.Text.isWellFormed(dmEpoch));
            connection = socket.chat.open(principal, Addresses.of(session.getRemoteSocketAddress()), userAgent, outbox,
                    badEpoch ? null : since, badEpoch ? null : dmEpoch);
            if (connection != null && (badSince || badEpoch)) {
                // The connection works, with the DM stream live from the welcome; the client learns what was wrong.
                socket.chat.refuseParameter(connection, badSince ? "dmSince" : "dmEpoch", badSince
                        ? "must be a non-negative integer (the last DM stream seq the client saw)"
                        : "must be the epoch string from welcome.dms.epoch");
            }
        }

        @Override
        public void onWebSocketText(String message) {
            if (connection != null) socket.chat.onText(connection, message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            if (connection != null) socket.chat.onBinary(connection);
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            if (connection != null) connection.transportClosed();
            ended();
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (connection != null) connection.transportClosed();
            ended();
        }

        private void ended() {
            if (ended.compareAndSet(false, true)) socket.openSessions.ended();
        }
    }

    /** A non-negative decimal position, or null when absent or malformed. */
    static Long parsePosition(String value) {
        if (value == null || value.isEmpty() || value.length() > 19) return null;
        for (int i = 0; i < value.length(); i++) if (value.charAt(i) < '0' || value.charAt(i) > '9') return null;
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

}
