package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.algorithms.Algorithm;
import io.switchboard.testing.LeakGuard;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Signed tokens with malformed claims get a clean close 4001 {@code token_claims} right after the upgrade (never an
 * HTTP 500), and a display name the database could not store never gets in.
 */
@Timeout(120)
class TokenClaimsAtUpgradeTest {
    static TestServer server;
    static String secret;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
        secret = Files.readString(server.dataDir().resolve("jwt.secret")).trim();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String signed(String payloadJson) {
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String payload = b64(payloadJson);
        byte[] sig = Algorithm.HMAC256(secret).sign(header.getBytes(StandardCharsets.US_ASCII), payload.getBytes(StandardCharsets.US_ASCII));
        return LeakGuard.register(header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Connects (an HTTP error at the upgrade fails here) and returns the close, asserting nothing was served first. */
    private static WsClient.Closed closeOf(String token) {
        try (WsClient c = WsClient.connect(server.ws(token))) {
            WsClient.Closed closed = c.awaitClose();
            assertEquals(List.of(), c.drain(Duration.ZERO), "nothing may be served before the close");
            return closed;
        }
    }

    @Test
    void aSignedTokenWhoseRoomsClaimHoldsAnObjectIsClosedWith4001NotAnHttp500() {
        long exp = Instant.now().getEpochSecond() + 600;
        assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{\"sub\":\"u\",\"rooms\":[{}],\"exp\":" + exp + "}")));
    }

    @Test
    void everyMalformedClaimIsClosedWith4001TokenClaims() {
        long exp = Instant.now().getEpochSecond() + 600;
        for (String claims : List.of("\"sub\":\"u\",\"rooms\":\"lobby\"", "\"sub\":\"u\",\"rooms\":7", "\"sub\":\"u\",\"rooms\":{\"a\":1}",
                "\"sub\":\"u\",\"rooms\":[\"no spaces\"]", "\"sub\":\"u\",\"rooms\":[" + "\"a\",".repeat(150) + "\"a\"]",
                "\"sub\":\"u\",\"name\":42", "\"sub\":\"u\",\"name\":\"" + "n".repeat(300) + "\"", "\"sub\":\"u\",\"name\":\"\\u001b[31m\"",
                "\"sub\":17", "\"sub\":[\"u\"]", "\"sub\":\"" + "s".repeat(129) + "\"")) {
            assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{" + claims + ",\"exp\":" + exp + "}")), claims);
        }
        for (String exp2 : List.of("\"tomorrow\"", "\"123\"", "true", "null", "1e300", "{}", "1" + "0".repeat(29))) {
            assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{\"sub\":\"u\",\"exp\":" + exp2 + "}")), exp2);
        }
        assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{\"sub\":\"u\"}")), "no exp");
        assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{\"exp\":" + exp + "}")), "no sub");
        assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{\"sub\":\"u\",\"exp\":" + exp + ",\"nbf\":\"x\"}")));
        assertEquals(new WsClient.Closed(4001, "token_not_yet_valid"),
                closeOf(signed("{\"sub\":\"u\",\"exp\":" + exp + ",\"nbf\":" + (exp - 60) + "}")), "nbf 9 minutes ahead");
    }

    @Test
    void duplicateClaimsACritHeaderAndTheReservedUserSystemNeverGetIn() {
        long exp = Instant.now().getEpochSecond() + 600;
        assertEquals(new WsClient.Closed(4001, "token_claims"),
                closeOf(signed("{\"sub\":\"u\",\"exp\":" + exp + ",\"sub\":\"admin\"}")), "duplicate sub");
        assertTrue(server.server().hub().connectionsOf("admin").isEmpty());
        assertEquals(new WsClient.Closed(4001, "token_claims"), closeOf(signed("{\"sub\":\"system\",\"exp\":" + exp + "}")));
        assertTrue(server.server().hub().connectionsOf("system").isEmpty());
        String header = b64("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}");
        String payload = b64("{\"sub\":\"crit\",\"exp\":" + exp + "}");
        byte[] sig = Algorithm.HMAC256(secret).sign(header.getBytes(StandardCharsets.US_ASCII), payload.getBytes(StandardCharsets.US_ASCII));
        String crit = LeakGuard.register(header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
        assertEquals(new WsClient.Closed(4001, "token_invalid"), closeOf(crit));
    }

    @Test
    void aNameAtTheLimitIsStoredAndServedWhileALongerOneNeverGetsIn() {
        String name = "N".repeat(128);
        try (WsClient c = WsClient.connected(server.ws(server.token("longname", name, null)))) {
            c.join("names");
            c.say("names", "stored with a 128-character name");
            c.send("type", "history", "room", "names", "id", "h");
            var history = c.await("history");
            assertEquals(name, history.path("messages").get(0).path("name").asText(), history.toString());
        }
        long exp = Instant.now().getEpochSecond() + 600;
        assertEquals(new WsClient.Closed(4001, "token_claims"),
                closeOf(signed("{\"sub\":\"toolong\",\"name\":\"" + "N".repeat(129) + "\",\"exp\":" + exp + "}")));
        assertTrue(server.server().hub().connectionsOf("toolong").isEmpty());
    }
}
