package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With rooms.autocreate=false only rooms an operator created can be joined. */
@Timeout(60)
class RoomsWithoutAutocreateTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("rooms.autocreate", "false"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRoomCanBeJoinedOnlyAfterAnOperatorCreatedIt() {
        AdminClient api = AdminClient.admin(server);
        try (Chat chat = new Chat(server)) {
            WsClient c = chat.connect("no-auto-amy");
            c.send("type", "join", "room", "planned", "id", "early");
            assertEquals("room_not_found", c.awaitError("early").path("code").asText());
            api.get("/api/v1/rooms/planned").problem(404);

            api.post("/api/v1/rooms", AdminClient.json("room", "planned")).expect(201);
            Chat.join(c, "planned");
            assertEquals(1, Chat.say(c, "planned", "first"));
        }
    }
}
