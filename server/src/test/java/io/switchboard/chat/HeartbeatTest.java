package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HeartbeatTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("heartbeat.interval", "200ms", "heartbeat.timeout", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theServerPingsAndAClientThatAnswersStaysConnected() {
        try (WsClient c = WsClient.connected(server.ws(server.token("lively")))) {
            Await.until("several server pings", Duration.ofSeconds(5), () -> c.pings() >= 3);
            assertThrows(AssertionError.class, () -> c.awaitClose(Duration.ofMillis(2500)),
                    "an idle client that answers pings must not be closed");
            assertTrue(c.isOpen());
        }
    }

    @Test
    void aClientThatMissesPongsIsClosedAfterTheTimeout() {
        try (WsClient deaf = WsClient.connectDeaf(server.ws(server.token("deaf")))) {
            deaf.await("welcome");
            assertEquals(new WsClient.Closed(4000, "heartbeat_timeout"), deaf.awaitClose(Duration.ofSeconds(5)));
            assertTrue(deaf.pings() >= 1);
        }
    }

    @Test
    void aConnectionWhoseTokenExpiresIsClosedWith4002() {
        String shortLived = server.server().clientTokens().issue("brief", java.time.Duration.ofSeconds(2), null, null);
        try (WsClient c = WsClient.connected(server.ws(shortLived))) {
            assertEquals(new WsClient.Closed(4002, "token_expired"), c.awaitClose(Duration.ofSeconds(10)));
        }
    }
}
