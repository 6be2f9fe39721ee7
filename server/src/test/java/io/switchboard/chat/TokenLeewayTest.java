package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.switchboard.testing.LeakGuard;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jwt.leeway} is one rule at connect and for the live expiry check: a token within the leeway is welcomed and
 * kept until exp + leeway (then closed 4002 by the heartbeat); one past it is refused before any welcome.
 */
@Timeout(60)
class TokenLeewayTest {
    static final int LEEWAY_S = 3;
    static TestServer server;
    static String secret;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("jwt.leeway", LEEWAY_S + "s", "heartbeat.interval", "100ms"));
        secret = Files.readString(server.dataDir().resolve("jwt.secret")).trim();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String expiringAt(long expSeconds) {
        return LeakGuard.register(JWT.create().withSubject("late").withExpiresAt(Date.from(Instant.ofEpochSecond(expSeconds)))
                .sign(Algorithm.HMAC256(secret)));
    }

    @Test
    void aTokenExpiredWithinTheLeewayIsWelcomedAndClosedOnlyAtExpPlusLeeway() {
        long exp = Instant.now().getEpochSecond() - 1; // expired 1-2 s ago: inside the 3 s leeway
        long closesAt = (exp + LEEWAY_S) * 1000;
        try (WsClient c = WsClient.connect(server.ws(expiringAt(exp)))) {
            c.await("welcome");
            WsClient.Closed closed = c.awaitClose(Duration.ofSeconds(10));
            long at = System.currentTimeMillis();
            assertEquals(new WsClient.Closed(4002, "token_expired"), closed);
            // The heartbeat (every 100 ms) must not close it before exp + leeway; before this rule it closed at once.
            assertTrue(at >= closesAt, "closed " + (closesAt - at) + " ms before exp + leeway");
        }
    }

    @Test
    void aTokenExpiredLongerAgoThanTheLeewayIsRefusedBeforeAnyWelcome() {
        long exp = Instant.now().getEpochSecond() - LEEWAY_S - 1;
        try (WsClient c = WsClient.connect(server.ws(expiringAt(exp)))) {
            assertEquals(new WsClient.Closed(4002, "token_expired"), c.awaitClose());
            assertEquals(List.of(), c.drain(Duration.ZERO), "no welcome before the close");
        }
    }
}
