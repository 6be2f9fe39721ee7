package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.RawWebSocket;
import io.switchboard.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The promise of docs/protocol.md (Heartbeats), measured: a connection that stops answering is closed no earlier than
 * {@code heartbeat.timeout} after the last byte it sent and no later than {@link ChatService#closeSlack} after that,
 * whatever {@code heartbeat.interval} is; an expiring token is closed on the same schedule.
 */
@Timeout(60)
class HeartbeatDeadlineTest {
    /** Room for a busy test machine (GC, other processes) on top of the documented slack. */
    private static final Duration JITTER = Duration.ofMillis(1000);

    @Test
    void aClientThatNeverAnswersPingsIsClosedWith4000WithinTheTimeoutPlusTheSlack() throws IOException {
        // A timeout that is not a multiple of the interval: a check that ran only once per interval would close
        // 4 to 6 s after the client's last byte, well past timeout + slack.
        Duration interval = Duration.ofSeconds(2);
        Duration timeout = Duration.ofMillis(2500);
        Duration slack = ChatService.closeSlack(timeout);
        try (TestServer server = TestServer.start(Map.of("heartbeat.interval", "2s", "heartbeat.timeout", "2500ms"));
             RawWebSocket silent = RawWebSocket.connect(server.ws(server.token("silent")))) {
            RawWebSocket.Frame welcome = silent.read(Duration.ofSeconds(10));
            assertNotNull(welcome, "welcome frame");
            assertTrue(welcome.text().contains("\"welcome\""), welcome.text());
            silent.sendText("{\"type\":\"ping\",\"id\":\"last-words\"}"); // the last bytes this client ever sends
            long lastWrite = silent.lastWriteNanos();

            int pings = 0;
            RawWebSocket.Frame close = null;
            long deadline = lastWrite + timeout.plus(slack).plus(JITTER).plus(interval).toNanos();
            while (close == null && System.nanoTime() < deadline) {
                RawWebSocket.Frame f = silent.read(Duration.ofMillis(100));
                if (f == null) continue;
                if (f.opcode() == RawWebSocket.PING) pings++; // read, never answered
                if (f.opcode() == RawWebSocket.CLOSE) close = f;
            }
            long after = System.nanoTime() - lastWrite;
            assertNotNull(close, "no close frame within " + Duration.ofNanos(deadline - lastWrite));
            assertEquals(4000, close.closeCode());
            assertEquals("heartbeat_timeout", close.closeReason());
            assertTrue(pings >= 1, "the server pinged the silent client");
            assertTrue(after >= timeout.toNanos(),
                    "closed " + Duration.ofNanos(after).toMillis() + " ms after the last byte: before the timeout " + timeout);
            assertTrue(after <= timeout.plus(slack).plus(JITTER).toNanos(),
                    "closed " + Duration.ofNanos(after).toMillis() + " ms after the last byte; the promise is "
                            + timeout.toMillis() + " ms + " + slack.toMillis() + " ms slack");
        }
    }

    @Test
    void aTokenThatExpiresWhileConnectedIsClosedWith4002WithinTheSlackNotAtTheNextPing() throws IOException {
        // Pings every 5 s; the token expires within the first 3 s, long before the first ping round.
        Duration slack = ChatService.closeSlack(Duration.ofSeconds(12));
        // No leeway, so that the token expires within the first ping interval.
        try (TestServer server = TestServer.start(Map.of("heartbeat.interval", "5s", "heartbeat.timeout", "12s", "jwt.leeway", "0s"))) {
            String token = server.server().clientTokens().issue("brief", Duration.ofSeconds(2), null, null);
            long expiresAt = server.server().clientTokens().verify(token).principal().expiresAt();
            try (RawWebSocket ws = RawWebSocket.connect(server.ws(token))) {
                RawWebSocket.Frame close = null;
                long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (close == null && System.nanoTime() < giveUp) {
                    RawWebSocket.Frame f = ws.read(Duration.ofMillis(100));
                    if (f != null && f.opcode() == RawWebSocket.CLOSE) close = f;
                    if (f != null && f.opcode() == RawWebSocket.PING) break; // too late: a ping round came first
                }
                long closedAt = System.currentTimeMillis();
                assertNotNull(close, "no close frame before the first ping round");
                assertEquals(4002, close.closeCode());
                assertEquals("token_expired", close.closeReason());
                assertTrue(closedAt >= expiresAt, "closed " + (expiresAt - closedAt) + " ms before the token expired");
                assertTrue(closedAt <= expiresAt + slack.plus(JITTER).toMillis(),
                        "closed " + (closedAt - expiresAt) + " ms after the token expired; the promise is "
                                + slack.toMillis() + " ms slack");
            }
        }
    }
}
