package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ClientAuthTest {
    static TestServer server;
    static String secret;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("allowed.origins", "https://chat.example.com"));
        secret = Files.readString(server.dataDir().resolve("jwt.secret")).trim();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient.Closed refusedWith(String token) {
        try (WsClient c = WsClient.connect(server.ws(token))) {
            WsClient.Closed closed = c.awaitClose();
            assertEquals(List.of(), c.drain(java.time.Duration.ZERO), "nothing may be served before the close");
            return closed;
        }
    }

    @Test
    void aValidTokenInTheQueryGetsAWelcome() {
        try (WsClient c = WsClient.connect(server.ws(server.token("ann")))) {
            assertEquals("ann", c.await("welcome").get("user").asText());
        }
    }

    @Test
    void aValidTokenInTheAuthorizationHeaderGetsAWelcome() {
        try (WsClient c = WsClient.connect(server.ws(), Map.of("Authorization", "Bearer " + server.token("hal")))) {
            assertEquals("hal", c.await("welcome").get("user").asText());
        }
    }

    @Test
    void aMissingTokenIsRefusedWith4001() {
        try (WsClient c = WsClient.connect(server.ws())) {
            assertEquals(new WsClient.Closed(4001, "token_missing"), c.awaitClose());
        }
    }

    @Test
    void aForgedTokenIsRefusedWith4001() {
        String forged = JWT.create().withSubject("mallory").withExpiresAt(Date.from(Instant.now().plusSeconds(600)))
                .sign(Algorithm.HMAC256("a-completely-different-secret-of-32-bytes!"));
        assertEquals(new WsClient.Closed(4001, "token_signature"), refusedWith(forged));
    }

    @Test
    void anExpiredTokenIsRefusedWith4002() {
        String expired = JWT.create().withSubject("old").withExpiresAt(Date.from(Instant.now().minusSeconds(600)))
                .sign(Algorithm.HMAC256(secret));
        assertEquals(new WsClient.Closed(4002, "token_expired"), refusedWith(expired));
    }

    @Test
    void anUnsignedAlgNoneTokenIsRefused() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"sub\":\"mallory\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
        assertEquals(4001, refusedWith(header + "." + payload + ".").code());
    }

    @Test
    void aTokenSignedWithAnotherAlgorithmIsRefused() {
        String hs512 = JWT.create().withSubject("eve").withExpiresAt(Date.from(Instant.now().plusSeconds(600)))
                .sign(Algorithm.HMAC512(secret));
        assertEquals(new WsClient.Closed(4001, "token_algorithm"), refusedWith(hs512));
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        String forever = JWT.create().withSubject("eve").sign(Algorithm.HMAC256(secret));
        assertEquals(4001, refusedWith(forever).code());
    }

    @Test
    void garbageIsRefused() {
        assertEquals(new WsClient.Closed(4001, "token_invalid"), refusedWith("not.a.jwt"));
    }

    @Test
    void aForeignBrowserOriginCannotUpgrade() {
        assertThrows(IllegalStateException.class, () -> WsClient.connect(server.ws(server.token("x")),
                Map.of("Origin", "https://evil.example.net")));
    }

    @Test
    void aListedOriginAndTheServersOwnOriginMayConnect() {
        try (WsClient listed = WsClient.connect(server.ws(server.token("o1")), Map.of("Origin", "https://chat.example.com"));
             WsClient same = WsClient.connect(server.ws(server.token("o2")),
                     Map.of("Origin", "http://127.0.0.1:" + server.port()))) {
            listed.await("welcome");
            same.await("welcome");
        }
    }

    /** Sends an upgrade with exactly these extra header lines on a plain socket; returns the HTTP status. */
    private static int upgradeStatus(String token, String... headerLines) throws java.io.IOException {
        StringBuilder b = new StringBuilder("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        for (String h : headerLines) b.append(h).append("\r\n");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(b.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void anEmptyOriginOrMoreThanOneOriginIsRefusedWith403() throws Exception {
        String token = server.token("origins");
        String own = "Origin: http://127.0.0.1:" + server.port();
        assertEquals(101, upgradeStatus(token, own), "the control: one own Origin");
        assertEquals(101, upgradeStatus(token), "the control: no Origin at all (not a browser)");
        assertEquals(403, upgradeStatus(token, "Origin:"), "an empty Origin is not an absent one");
        assertEquals(403, upgradeStatus(token, "Origin: "), "a blank Origin neither");
        assertEquals(403, upgradeStatus(token, own, "Origin: https://evil.example.net"), "the second Origin counts too");
        assertEquals(403, upgradeStatus(token, "Origin: https://chat.example.com", own), "two allowed Origins: still two");
        assertEquals(403, upgradeStatus(token, "Origin: http://127.0.0.1:0" + server.port()), "a port with a leading zero");
    }

    @Test
    void theOwnOriginMustMatchSchemeAndPortNotOnlyTheHost() {
        int port = server.port();
        for (String origin : List.of("https://127.0.0.1:" + port, "http://127.0.0.1:" + (port + 1), "http://127.0.0.1",
                "null", "http://127.0.0.1:" + port + "/chat", "ws://127.0.0.1:" + port)) {
            assertThrows(IllegalStateException.class, () -> WsClient.connect(server.ws(server.token("x")), Map.of("Origin", origin)),
                    origin + " must get no WebSocket");
        }
        try (WsClient upper = WsClient.connect(server.ws(server.token("o3")), Map.of("Origin", "HTTP://127.0.0.1:" + port))) {
            upper.await("welcome");
        }
    }

    @Test
    void connectionIdsAreTwelveRandomUrlSafeCharactersDistinctAcrossConnections() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Set<String> prefixes = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            try (WsClient c = WsClient.connect(server.ws(server.token("ids-" + i)))) {
                String id = c.await("welcome").get("connectionId").asText();
                org.junit.jupiter.api.Assertions.assertTrue(id.matches("[A-Za-z0-9_-]{12}"), id);
                ids.add(id);
                prefixes.add(id.substring(0, 4));
            }
        }
        assertEquals(40, ids.size(), "all distinct");
        // A counter behind a fixed prefix would give one prefix; 40 random ids share a 4-character prefix by chance
        // with a probability of about 1 in 20,000.
        org.junit.jupiter.api.Assertions.assertTrue(prefixes.size() >= 39, "not sequential: " + ids);
    }

    @Test
    void aUserMayHoldSeveralConnectionsEachWithItsOwnId() {
        try (WsClient phone = WsClient.connect(server.ws(server.token("multi")));
             WsClient laptop = WsClient.connect(server.ws(server.token("multi")))) {
            String a = phone.await("welcome").get("connectionId").asText();
            String b = laptop.await("welcome").get("connectionId").asText();
            org.junit.jupiter.api.Assertions.assertNotEquals(a, b);
        }
    }

    @Test
    void theRoomsClaimRestrictsWhichRoomsTheUserMayJoin() {
        String token = server.token("limited", "Limited", List.of("support", "team-*"));
        try (WsClient c = WsClient.connected(server.ws(token))) {
            c.send("type", "join", "room", "support", "id", "1");
            c.await("joined");
            c.send("type", "join", "room", "team-red", "id", "2");
            c.await("joined");
            c.send("type", "join", "room", "secret", "id", "3");
            assertEquals("room_forbidden", c.awaitError("3").get("code").asText());
            c.send("type", "history", "room", "secret", "id", "4");
            assertEquals("room_forbidden", c.awaitError("4").get("code").asText());
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
