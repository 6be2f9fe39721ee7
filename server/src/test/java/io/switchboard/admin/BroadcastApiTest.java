package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Operator broadcasts: to everyone, to a room (stored, with a seq), to one user; and the refused requests. */
@Timeout(60)
class BroadcastApiTest extends AdminApiTestBase {

    private static JsonNode system(WsClient c, String text) {
        return c.await(f -> "system".equals(f.path("type").asText()) && text.equals(f.path("text").asText()), "system " + text);
    }

    @Test
    void aBroadcastToEveryoneReachesEveryConnection() {
        List<WsClient> all = List.of(chat.connect("all-a"), chat.connect("all-a"), chat.connect("all-b"), chat.member("all-c", "all-room"));

        JsonNode answer = api.post("/api/v1/broadcast", AdminClient.json("text", "maintenance at noon")).expect(200);
        assertEquals(all.size(), answer.path("reached").asInt(), answer.toString());
        for (WsClient c : all) {
            JsonNode f = system(c, "maintenance at noon");
            assertTrue(f.path("ts").asLong() > 0, f.toString());
            assertFalse(f.has("room"), "a server-wide notice names no room: " + f);
        }
    }

    @Test
    void aRoomBroadcastReachesExactlyTheMembersAndTakesTheRoomsNextSeq() {
        WsClient speaker = chat.member("room-b-ann", "bc-room");
        WsClient listener = chat.member("room-b-ben", "bc-room");
        WsClient outsider = chat.member("room-b-cid", "bc-other");
        WsClient idle = chat.connect("room-b-dot");
        long lastSeq = Chat.say(speaker, "bc-room", "before the notice");

        JsonNode answer = api.post("/api/v1/broadcast", AdminClient.json("text", "room closes soon", "room", "bc-room")).expect(200);
        assertEquals(2, answer.path("reached").asInt(), answer.toString());
        for (WsClient c : List.of(speaker, listener)) {
            JsonNode f = system(c, "room closes soon");
            assertEquals("bc-room", f.path("room").asText(), f.toString());
            assertEquals(lastSeq + 1, f.path("seq").asLong(), "the broadcast takes the room's next seq: " + f);
        }
        Chat.assertUntouched(outsider, "system");
        Chat.assertUntouched(idle, "system");
        assertEquals(lastSeq + 2, Chat.say(listener, "bc-room", "after the notice"), "seq stays gap-free");
    }

    @Test
    void aRoomBroadcastIsStoredInTheRoomsHistory() {
        WsClient member = chat.member("hist-b-eve", "bc-stored");
        Chat.say(member, "bc-stored", "a user line");
        api.post("/api/v1/broadcast", AdminClient.json("text", "stored notice", "room", "bc-stored")).expect(200);
        long seq = system(member, "stored notice").path("seq").asLong();

        JsonNode viaApi = null;
        for (JsonNode m : api.get("/api/v1/rooms/bc-stored/messages").expect(200).path("messages")) {
            if (m.path("seq").asLong() == seq) viaApi = m;
        }
        assertTrue(viaApi != null, "the broadcast is in GET /messages");
        assertTrue(viaApi.path("system").asBoolean(), viaApi.toString());
        assertEquals("system", viaApi.path("from").asText(), viaApi.toString());
        assertEquals("stored notice", viaApi.path("text").asText());

        member.send("type", "history", "room", "bc-stored", "id", "h1");
        JsonNode history = member.await("history");
        JsonNode last = history.path("messages").get(history.path("messages").size() - 1);
        assertEquals(seq, last.path("seq").asLong(), history.toString());
        assertTrue(last.path("system").asBoolean(), last.toString());
        assertEquals("stored notice", last.path("text").asText());
    }

    @Test
    void aRoomBroadcastWithNobodyOnlineIsStoredAndReplayedToALaterJoin() {
        api.post("/api/v1/rooms", AdminClient.json("room", "bc-empty")).expect(201);
        JsonNode answer = api.post("/api/v1/broadcast", AdminClient.json("text", "read this first", "room", "bc-empty")).expect(200);
        assertEquals(0, answer.path("reached").asInt(), answer.toString());

        WsClient late = chat.connect("late-b-kai");
        late.send("type", "join", "room", "bc-empty", "id", "resume", "since", 0);
        JsonNode joined = late.await("joined");
        assertEquals(1, joined.path("seq").asLong(), joined.toString());
        JsonNode replayed = late.await("message");
        assertEquals(1, replayed.path("seq").asLong(), replayed.toString());
        assertTrue(replayed.path("system").asBoolean(), replayed.toString());
        assertEquals("system", replayed.path("from").asText(), replayed.toString());
        assertEquals("read this first", replayed.path("text").asText());
    }

    @Test
    void aUserBroadcastReachesExactlyThatUsersConnections() {
        WsClient first = chat.connect("user-b-fay");
        WsClient second = chat.member("user-b-fay", "bc-user-room");
        WsClient other = chat.member("user-b-gus", "bc-user-room");

        JsonNode answer = api.post("/api/v1/broadcast", AdminClient.json("text", "please read the rules", "user", "user-b-fay")).expect(200);
        assertEquals(2, answer.path("reached").asInt(), answer.toString());
        system(first, "please read the rules");
        system(second, "please read the rules");
        Chat.assertUntouched(other, "system");
    }

    @Test
    void aBroadcastToAUserWhoIsOfflineReachesNobody() {
        assertEquals(0, api.post("/api/v1/broadcast", AdminClient.json("text", "hello?", "user", "user-b-away")).expect(200)
                .path("reached").asInt());
    }

    @Test
    void roomAndUserTogetherAreA422Problem() {
        WsClient c = chat.member("both-b-hal", "bc-both");
        api.post("/api/v1/broadcast", AdminClient.json("text", "x", "room", "bc-both", "user", "both-b-hal")).problem(422);
        Chat.assertUntouched(c, "system");
    }

    @Test
    void anUnknownRoomIsA404Problem() {
        api.post("/api/v1/broadcast", AdminClient.json("text", "anyone?", "room", "bc-no-such-room")).problem(404);
    }

    @Test
    void aMissingOrEmptyTextIsA422Problem() {
        WsClient c = chat.connect("text-b-ida");
        api.post("/api/v1/broadcast", AdminClient.json("room", "bc-room")).problem(422);
        api.post("/api/v1/broadcast", AdminClient.json("text", "")).problem(422);
        api.post("/api/v1/broadcast", AdminClient.json("text", 42)).problem(422);
        Chat.assertUntouched(c, "system");
    }

    @Test
    void malformedJsonIsA400Problem() {
        WsClient c = chat.connect("json-b-jon");
        api.post("/api/v1/broadcast", "{\"text\": \"unterminated").problem(400);
        api.post("/api/v1/broadcast", "[\"not an object\"]").problem(400);
        api.post("/api/v1/broadcast").problem(400);
        Chat.assertUntouched(c, "system");
    }
}
