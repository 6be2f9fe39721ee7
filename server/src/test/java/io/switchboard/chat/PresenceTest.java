package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PresenceTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient join(String user, String room) {
        WsClient c = WsClient.connected(server.ws(server.token(user)));
        c.send("type", "join", "room", room, "id", "j");
        c.await("joined");
        return c;
    }

    private static boolean isPresence(JsonNode f, String user, String event) {
        return "presence".equals(f.path("type").asText()) && user.equals(f.path("user").asText())
                && event.equals(f.path("event").asText());
    }

    @Test
    void membersSeeJoinOnAUsersFirstConnectionAndLeaveOnItsLast() {
        try (WsClient watcher = join("watcher", "pres")) {
            WsClient first = join("comer", "pres");
            watcher.await(f -> isPresence(f, "comer", "join"), "presence join");
            WsClient second = join("comer", "pres");
            second.close();
            first.send("type", "ping", "id", "p");
            first.await("pong");
            assertTrue(watcher.drain(Duration.ofMillis(300)).stream().noneMatch(f -> "presence".equals(f.path("type").asText())),
                    "a second connection joining or leaving is not a presence change");
            first.close();
            watcher.await(f -> isPresence(f, "comer", "leave"), "presence leave");
        }
    }

    @Test
    void joinedListsTheUsersOnlineInTheRoom() {
        try (WsClient a = join("list-a", "listed"); WsClient b = WsClient.connected(server.ws(server.token("list-b")))) {
            b.send("type", "join", "room", "listed", "id", "j");
            JsonNode joined = b.await("joined");
            List<String> members = new java.util.ArrayList<>();
            joined.get("members").forEach(m -> members.add(m.asText()));
            assertTrue(members.containsAll(List.of("list-a", "list-b")), members.toString());
        }
    }

    @Test
    void anExplicitLeaveIsConfirmedAndAnnounced() {
        try (WsClient stay = join("stayer", "leaving"); WsClient go = join("goer", "leaving")) {
            go.send("type", "leave", "room", "leaving", "id", "bye");
            assertEquals("leaving", go.await("left").get("room").asText());
            stay.await(f -> isPresence(f, "goer", "leave"), "presence leave");
            go.send("type", "send", "room", "leaving", "id", "after", "text", "still here?");
            assertEquals("not_joined", go.awaitError("after").get("code").asText());
        }
    }
}
