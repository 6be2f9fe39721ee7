package io.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** A real WebSocket client for tests: records every frame and the close status, and awaits frames with a deadline. */
public final class WsClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private static final WebSocketClient CLIENT = startClient();

    /** A close frame as the client saw it. */
    public record Closed(int code, String reason) {}

    private final Listener listener;
    private final List<JsonNode> seen = new ArrayList<>();
    private Session session;

    private static WebSocketClient startClient() {
        WebSocketClient c = new WebSocketClient();
        c.setMaxTextMessageSize(64 * 1024 * 1024);
        c.setIdleTimeout(Duration.ofMinutes(5));
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return c;
    }

    public static WsClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    private WsClient(boolean answerPings) {
        this.listener = new Listener(answerPings);
    }

    /** A client that reads but never answers WebSocket pings, like a peer whose stack is wedged. */
    public static WsClient connectDeaf(URI uri) {
        return connect(uri, Map.of(), false);
    }

    public static WsClient connect(URI uri, Map<String, String> headers) {
        return connect(uri, headers, true);
    }

    /**
     * Connects offering WebSocket extensions as a browser does, e.g. {@code permessage-deflate; client_max_window_bits}
     * (Chrome's offer); Jetty's client then compresses and inflates whatever the server accepted.
     */
    public static WsClient connectOffering(URI uri, String... extensions) {
        return connect(uri, Map.of(), true, extensions);
    }

    private static WsClient connect(URI uri, Map<String, String> headers, boolean answerPings, String... extensions) {
        WsClient ws = new WsClient(answerPings);
        registerCredentials(uri, headers);
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        headers.forEach(req::setHeader);
        if (extensions.length > 0) req.addExtensions(extensions);
        try {
            ws.session = CLIENT.connect(ws.listener, uri, req).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("connect to " + uri + " failed", e);
        }
        return ws;
    }

    /** Whatever secret a test connects with (a token in the query, an Authorization header) must never be logged. */
    private static void registerCredentials(URI uri, Map<String, String> headers) {
        String query = uri.getRawQuery();
        if (query != null) {
            for (String param : query.split("&")) {
                if (param.startsWith("token=")) LeakGuard.register(param.substring("token=".length()));
            }
        }
        headers.forEach((name, value) -> {
            if (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie")) LeakGuard.register(credentialOf(value));
        });
    }

    /** The credential in an Authorization or Cookie header value ("Bearer x", "sb_session=x"), or the value itself. */
    public static String credentialOf(String headerValue) {
        String v = headerValue.trim();
        int space = v.indexOf(' ');
        if (space > 0 && v.regionMatches(true, 0, "Bearer", 0, space)) return v.substring(space + 1).trim();
        int eq = v.indexOf('=');
        return eq > 0 ? v.substring(eq + 1) : v;
    }

    /** Connects and waits for the welcome frame, so the server has registered the connection. */
    public static WsClient connected(URI uri) {
        WsClient ws = connect(uri);
        ws.await("welcome");
        return ws;
    }

    public void send(Object... keyValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) node.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        sendRaw(node.toString());
    }

    /** Joins a room and returns the {@code joined} answer. */
    public JsonNode join(String room) {
        String id = "j" + IDS.incrementAndGet();
        send("type", "join", "room", room, "id", id);
        return await(f -> "joined".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "joined " + room);
    }

    /** Sends a room message and returns its seq from the ack. */
    public long say(String room, String text) {
        String id = "m" + IDS.incrementAndGet();
        send("type", "send", "room", room, "id", id, "text", text);
        return await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "ack of " + id)
                .path("seq").asLong();
    }

    /**
     * A ping answered by a pong: the connection is open, and every frame the server queued for it before the ping
     * has arrived (one outbox, written in order).
     */
    public void roundTrip() {
        String id = "p" + IDS.incrementAndGet();
        send("type", "ping", "id", id);
        await(f -> "pong".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "pong " + id);
    }

    public void sendRaw(String text) {
        session.sendText(text, Callback.NOOP);
    }

    public void sendBinary(byte[] data) {
        session.sendBinary(ByteBuffer.wrap(data), Callback.NOOP);
    }

    /** Next frame of this type (earlier frames of other types are kept for later awaits). */
    public JsonNode await(String type) {
        return await(f -> type.equals(f.path("type").asText()), DEFAULT_WAIT, "frame of type " + type);
    }

    public JsonNode await(Predicate<JsonNode> match, String what) {
        return await(match, DEFAULT_WAIT, what);
    }

    public synchronized JsonNode await(Predicate<JsonNode> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = 0; i < seen.size(); i++) {
                if (match.test(seen.get(i))) return seen.remove(i);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("no " + what + " within " + timeout + "; unconsumed frames: " + seen);
            try {
                JsonNode next = listener.frames.poll(left, TimeUnit.NANOSECONDS);
                if (next != null) seen.add(next);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /**
     * The next frame (one kept back by an earlier await first), or null when none arrives within {@code timeout}:
     * for a client that handles every frame itself (e.g. pipelined sends with acks and the room's messages).
     */
    public synchronized JsonNode next(Duration timeout) {
        if (!seen.isEmpty()) return seen.remove(0);
        try {
            return listener.frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The error frame answering the client frame with this id. */
    public JsonNode awaitError(String id) {
        return await(f -> "error".equals(f.path("type").asText()) && id.equals(f.path("id").asText()), "error for " + id);
    }

    /** Drains every frame received so far plus any arriving within {@code quiet}. */
    public synchronized List<JsonNode> drain(Duration quiet) {
        List<JsonNode> out = new ArrayList<>(seen);
        seen.clear();
        try {
            JsonNode f;
            while ((f = listener.frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) out.add(f);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    public Closed awaitClose() {
        return awaitClose(DEFAULT_WAIT);
    }

    public Closed awaitClose(Duration timeout) {
        try {
            return listener.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection not closed within " + timeout, e);
        }
    }

    /** The {@code Sec-WebSocket-Extensions} header of the server's upgrade answer, or null when it accepted none. */
    public String extensionsAnswered() {
        return session.getUpgradeResponse().getHeader("Sec-WebSocket-Extensions");
    }

    /** WebSocket pings received from the server. */
    public int pings() {
        return listener.pings.get();
    }

    public boolean isOpen() {
        return session.isOpen() && !listener.closed.isDone();
    }

    @Override
    public void close() {
        if (session != null && session.isOpen()) session.close(1000, "bye", Callback.NOOP);
    }

    /** Jetty requires listener classes to be public. */
    public static final class Listener extends Session.Listener.AbstractAutoDemanding {
        final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Closed> closed = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
        private final boolean answerPings;

        Listener(boolean answerPings) {
            this.answerPings = answerPings;
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            pings.incrementAndGet();
            if (answerPings) getSession().sendPong(payload, Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            try {
                frames.add(JSON.readTree(message));
            } catch (Exception e) {
                frames.add(JSON.createObjectNode().put("type", "unparseable").put("raw", message));
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            closed.complete(new Closed(statusCode, reason));
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            closed.complete(new Closed(1006, String.valueOf(cause)));
        }
    }
}
