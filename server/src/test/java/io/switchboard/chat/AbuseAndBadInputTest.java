package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AbuseAndBadInputTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.violations.per.minute", "5",
                "rooms.autocreate", "false"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode errorFor(String frame) {
        try (WsClient c = WsClient.connected(server.ws(server.token("sloppy")))) {
            c.sendRaw(frame);
            JsonNode error = c.await("error");
            c.send("type", "ping", "id", "alive");
            c.await("pong"); // the connection stays usable
            return error;
        }
    }

    @Test
    void malformedJsonIsAnsweredWithBadJson() {
        assertEquals("bad_json", errorFor("{\"type\": \"send\", ").get("code").asText());
    }

    @Test
    void aJsonValueThatIsNotAnObjectIsInvalid() {
        assertEquals("invalid_frame", errorFor("[1,2,3]").get("code").asText());
    }

    @Test
    void anUnknownTypeIsNamedAndTheIdEchoed() {
        JsonNode e = errorFor("{\"type\":\"teleport\",\"id\":\"t1\"}");
        assertEquals("unknown_type", e.get("code").asText());
        assertEquals("t1", e.get("id").asText());
    }

    @Test
    void aMissingFieldIsNamed() {
        JsonNode e = errorFor("{\"type\":\"send\",\"id\":\"m1\",\"room\":\"x\"}");
        assertEquals("invalid_frame", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("text"), e.toString());
        assertEquals("m1", e.get("id").asText());
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() {
        JsonNode e = errorFor("{\"type\":\"join\",\"id\":\"j1\",\"room\":42}");
        assertEquals("invalid_frame", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("room"), e.toString());
    }

    @Test
    void aNegativeSinceIsInvalid() {
        assertEquals("invalid_frame", errorFor("{\"type\":\"join\",\"room\":\"x\",\"since\":-1}").get("code").asText());
    }

    @Test
    void aSendWithoutIdIsInvalid() {
        assertEquals("invalid_frame", errorFor("{\"type\":\"send\",\"room\":\"x\",\"text\":\"hi\"}").get("code").asText());
    }

    @Test
    void anInvalidRoomNameIsRefused() {
        assertEquals("invalid_room", errorFor("{\"type\":\"join\",\"room\":\"<script>\",\"id\":\"r\"}").get("code").asText());
    }

    @Test
    void sendingToARoomNotJoinedIsRefused() {
        assertEquals("not_joined", errorFor("{\"type\":\"send\",\"room\":\"elsewhere\",\"id\":\"n\",\"text\":\"hi\"}")
                .get("code").asText());
    }

    @Test
    void joiningAnUnknownRoomFailsWhenRoomsAreNotCreatedOnJoin() {
        JsonNode e = errorFor("{\"type\":\"join\",\"room\":\"nonexistent\",\"id\":\"nx\"}");
        assertEquals("room_not_found", e.get("code").asText());
        assertEquals("nx", e.get("id").asText());
    }

    @Test
    void binaryFramesAreRefused() {
        try (WsClient c = WsClient.connected(server.ws(server.token("binary")))) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertEquals("binary_not_supported", c.await("error").get("code").asText());
            c.send("type", "ping", "id", "alive");
            c.await("pong");
        }
    }

    @Test
    void repeatedViolationsCloseTheConnectionWith4008() {
        try (WsClient c = WsClient.connected(server.ws(server.token("abuser")))) {
            for (int i = 0; i < 10; i++) c.sendRaw("not json " + i);
            assertEquals(new WsClient.Closed(4008, "policy_violation"), c.awaitClose());
        }
    }

    @Test
    void anAddressBeyondItsConnectionLimitIsClosedWith4005() {
        try (TestServer own = TestServer.start(Map.of("limits.connections.per.ip", "2"));
             WsClient a = WsClient.connected(own.ws(own.token("ip1")));
             WsClient b = WsClient.connected(own.ws(own.token("ip2")));
             WsClient c = WsClient.connect(own.ws(own.token("ip3")))) {
            assertEquals(new WsClient.Closed(4005, "too_many_connections_address"), c.awaitClose());
        }
    }

    @Test
    void appLevelPingIsAnsweredWithPong() {
        try (WsClient c = WsClient.connected(server.ws(server.token("pinger")))) {
            c.send("type", "ping", "id", "p1");
            JsonNode pong = c.await("pong");
            assertEquals("p1", pong.get("id").asText());
            assertTrue(pong.get("serverTime").asLong() > 0);
        }
    }
}
