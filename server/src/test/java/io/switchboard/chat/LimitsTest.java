package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LimitsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "limits.frame.bytes", "1024",
                "limits.text.chars", "10",
                "limits.rate", "5",
                "limits.burst", "5",
                "limits.rooms.per.connection", "2",
                "limits.connections.per.user", "2",
                "limits.violations.per.minute", "100"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient client(String user) {
        return WsClient.connected(server.ws(server.token(user)));
    }

    @Test
    void aFrameAboveTheLimitGetsFrameTooLargeAndTheConnectionStaysUsable() {
        try (WsClient c = client("big")) {
            c.sendRaw("{\"type\":\"ping\",\"id\":\"x\",\"pad\":\"" + "a".repeat(1100) + "\"}");
            assertEquals("frame_too_large", c.await("error").get("code").asText());
            c.send("type", "ping", "id", "still");
            c.await("pong");
        }
    }

    @Test
    void aFrameFarAboveTheLimitClosesTheConnectionWith1009() {
        try (WsClient c = client("huge")) {
            c.sendRaw("{\"type\":\"ping\",\"pad\":\"" + "a".repeat(5000) + "\"}");
            assertEquals(1009, c.awaitClose().code());
        }
    }

    @Test
    void textLongerThanTheLimitIsRefused() {
        try (WsClient c = client("talker")) {
            c.send("type", "join", "room", "short", "id", "j");
            c.await("joined");
            c.send("type", "send", "room", "short", "id", "long", "text", "01234567890");
            assertEquals("text_too_long", c.awaitError("long").get("code").asText());
            c.send("type", "send", "room", "short", "id", "ok", "text", "0123456789");
            c.await("ack");
        }
    }

    @Test
    void framesAboveTheRateAreRefusedWithTheirId() {
        try (WsClient c = client("fast")) {
            for (int i = 0; i < 12; i++) c.send("type", "ping", "id", "r" + i);
            String code = c.await(f -> "error".equals(f.path("type").asText()), "rate error").get("code").asText();
            assertEquals("rate_limited", code);
        }
    }

    @Test
    void joiningMoreRoomsThanAllowedIsRefused() {
        try (WsClient c = client("roomy")) {
            c.send("type", "join", "room", "r1", "id", "1");
            c.await("joined");
            c.send("type", "join", "room", "r2", "id", "2");
            c.await("joined");
            c.send("type", "join", "room", "r3", "id", "3");
            assertEquals("too_many_rooms", c.awaitError("3").get("code").asText());
        }
    }

    @Test
    void aUserBeyondTheConnectionLimitIsClosedWith4005() {
        try (WsClient a = client("many"); WsClient b = client("many"); WsClient c = WsClient.connect(server.ws(server.token("many")))) {
            assertEquals(new WsClient.Closed(4005, "too_many_connections_user"), c.awaitClose());
        }
    }
}
