package io.switchboard.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.compression.DeflaterPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How many zlib Deflaters stay taken from Jetty's pool once every connection has been sent its messages, with
 * {@code ws.compression=on}'s negotiation, on a plain Jetty server: with {@link PooledDeflateExtension} and without.
 */
@Timeout(60)
class PooledDeflateExtensionTest {
    private static final int CONNECTIONS = 20;
    private static final String GREETING = "hello ".repeat(50);

    @Test
    void withItNoConnectionHoldsADeflaterBetweenMessages() throws Exception {
        assertEquals(0, deflatersHeldAfterMessages(true));
    }

    /** What the class works around: should this fail after a Jetty upgrade, Jetty no longer needs it. */
    @Test
    void withoutItJettyKeepsOneDeflaterPerConnectionDespiteServerNoContextTakeover() throws Exception {
        assertEquals(CONNECTIONS, deflatersHeldAfterMessages(false));
    }

    private static int deflatersHeldAfterMessages(boolean pooled) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        if (pooled) PooledDeflateExtension.install(server);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> container.addMapping("/ws", (request, response, callback) -> {
            Compression.ON.negotiate(request, response);
            return new Echo();
        })));
        server.start();
        WebSocketClient client = new WebSocketClient();
        client.start();
        try {
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                Received received = new Received();
                ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
                upgrade.addExtensions("permessage-deflate; client_max_window_bits");
                Session session = client.connect(received, URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws"), upgrade)
                        .get(10, TimeUnit.SECONDS);
                assertEquals("permessage-deflate;server_no_context_takeover",
                        session.getUpgradeResponse().getHeader("Sec-WebSocket-Extensions"));
                assertEquals(GREETING, received.next());
                for (String text : List.of("first " + i, "second " + i)) {
                    session.sendText(text, Callback.NOOP);
                    assertEquals(text, received.next(), "compressed by the server, inflated by the client");
                }
                sessions.add(session);
            }
            DeflaterPool pool = server.getBean(DeflaterPool.class);
            int expected = pooled ? 0 : CONNECTIONS;
            // Jetty takes a Deflater again just after the write the client has already read: the count settles there.
            io.switchboard.testing.Await.until(expected + " Deflaters in use", Duration.ofSeconds(5),
                    () -> pool.getPool().getInUseCount() == expected);
            return pool.getPool().getInUseCount();
        } finally {
            client.stop();
            server.stop();
        }
    }

    /** Greets, then answers each text with a ping (a control frame between messages) and the text itself. */
    public static final class Echo extends Session.Listener.AbstractAutoDemanding {
        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            session.sendText(GREETING, Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String text) {
            getSession().sendPing(ByteBuffer.wrap(new byte[] {1}), Callback.NOOP);
            getSession().sendText(text, Callback.NOOP);
        }
    }

    public static final class Received extends Session.Listener.AbstractAutoDemanding {
        private final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();

        @Override
        public void onWebSocketText(String text) {
            texts.add(text);
        }

        String next() throws InterruptedException {
            String text = texts.poll(10, TimeUnit.SECONDS);
            if (text == null) throw new AssertionError("no text within 10 s");
            return text;
        }
    }
}
