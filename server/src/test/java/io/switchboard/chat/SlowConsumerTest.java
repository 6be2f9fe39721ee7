package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class SlowConsumerTest {
    private static final int FLOOD = 1500;
    private static final String PAYLOAD = "x".repeat(16 * 1024);

    /** A client that sends but never reads: it never demands frames, so the server's writes back up. */
    public static final class NonReadingListener implements Session.Listener {
        volatile Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }
    }

    @Test
    void aClientThatStopsReadingIsDroppedWhileAnotherKeepsReceiving() throws Exception {
        try (TestServer server = TestServer.start(Map.of("limits.outbox.frames", "256", "db.batch.size", "16", "limits.text.chars", "20000",
                "limits.frame.bytes", "65536", "limits.rate", "100000", "limits.burst", "100000"));
             WsClient sender = WsClient.connected(server.ws(server.token("sender")));
             WsClient healthy = WsClient.connected(server.ws(server.token("healthy")))) {
            WebSocketClient raw = new WebSocketClient();
            raw.start();
            try {
                NonReadingListener slow = new NonReadingListener();
                raw.connect(slow, URI.create(server.ws(server.token("slow")).toString())).get(10, TimeUnit.SECONDS);
                slow.session.sendText("{\"type\":\"join\",\"room\":\"flood\",\"id\":\"j\"}", Callback.NOOP);
                for (WsClient c : new WsClient[] {sender, healthy}) {
                    c.send("type", "join", "room", "flood", "id", "j");
                    c.await("joined");
                }
                Hub hub = server.server().hub();
                Await.until("three members in the room", Duration.ofSeconds(5),
                        () -> hub.room("flood") != null && hub.room("flood").connectionCount() == 3);

                long start = System.nanoTime();
                for (int i = 0; i < FLOOD; i++) {
                    sender.send("type", "send", "room", "flood", "id", "f" + i, "text", PAYLOAD);
                    if (i % 50 == 49) { // a sender paced by its acks: a client that reads keeps up, one that doesn't cannot
                        String id = "f" + i;
                        sender.await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()),
                                Duration.ofSeconds(30), "ack " + id);
                    }
                }
                for (int i = 0; i < FLOOD; i++) {
                    JsonNode m = healthy.await(f -> "message".equals(f.path("type").asText()), Duration.ofSeconds(30), "flood message");
                    assertEquals("f" + i, m.get("id").asText(), "the healthy client receives every message in order");
                }
                Await.until("the slow client dropped", Duration.ofSeconds(10), () -> hub.connectionsOf("slow").isEmpty());
                assertEquals(2, hub.room("flood").connectionCount());

                // After the drop the room is as fast as ever for the healthy client.
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    sender.send("type", "send", "room", "flood", "id", "probe" + i, "text", "probe");
                    healthy.await(f -> "message".equals(f.path("type").asText()), "probe");
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    assertTrue(ms < 1000, "probe took " + ms + " ms");
                }
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60));
            } finally {
                raw.stop();
            }
        }
    }
}
