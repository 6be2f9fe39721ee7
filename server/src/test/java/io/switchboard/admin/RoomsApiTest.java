package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rooms through the admin API: create, list with live counts, members, history pages, moderation, close and open. */
@Timeout(60)
class RoomsApiTest extends AdminApiTestBase {

    private static JsonNode listed(String room) {
        for (JsonNode r : api.walk("/api/v1/rooms", 500)) if (room.equals(r.path("name").asText())) return r;
        return null;
    }

    private static List<Long> seqs(JsonNode messages) {
        List<Long> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("seq").asLong()));
        return out;
    }

    private static JsonNode member(JsonNode show, String user) {
        for (JsonNode m : show.path("members")) if (user.equals(m.path("user").asText())) return m;
        return null;
    }

    @Test
    void creatingARoomAnswers201AndCreatingItAgain409() {
        JsonNode created = api.post("/api/v1/rooms", AdminClient.json("room", "made-by-api")).expect(201);
        assertEquals("made-by-api", created.path("name").asText(), created.toString());
        assertEquals(0, created.path("lastSeq").asLong());
        assertFalse(created.path("closed").asBoolean());
        assertTrue(listed("made-by-api") != null, "listed after creation");

        api.post("/api/v1/rooms", AdminClient.json("room", "made-by-api")).problem(409);
    }

    @Test
    void anInvalidRoomNameIsA422Problem() {
        api.post("/api/v1/rooms", AdminClient.json("room", "-starts-with-a-dash")).problem(422);
        api.post("/api/v1/rooms", AdminClient.json()).problem(422);
    }

    @Test
    void theRoomListCountsMembersOnlineUsersConnectionsAndTheLastSeq() {
        WsClient a1 = chat.member("count-ann", "counted");
        chat.member("count-ann", "counted");
        WsClient b = chat.member("count-bob", "counted");
        Chat.say(a1, "counted", "one");
        Chat.say(b, "counted", "two");

        Await.until("memberships stored", Duration.ofSeconds(10), () -> listed("counted").path("members").asLong() == 2);
        JsonNode r = listed("counted");
        assertEquals(2, r.path("online").asInt(), r.toString());
        assertEquals(3, r.path("connections").asInt(), r.toString());
        assertEquals(2, r.path("lastSeq").asLong(), r.toString());

        b.close();
        Await.until("bob offline in the list", Duration.ofSeconds(10), () -> listed("counted").path("online").asInt() == 1);
        r = listed("counted");
        assertEquals(2, r.path("connections").asInt(), r.toString());
        assertEquals(2, r.path("members").asLong(), "a disconnect does not end membership: " + r);
    }

    @Test
    void theRoomListPagesByNameWithoutRepeatsOrGaps() {
        for (int i = 1; i <= 5; i++) api.post("/api/v1/rooms", AdminClient.json("room", "paged-" + i)).expect(201);
        List<String> names = api.walk("/api/v1/rooms", 2).stream().map(r -> r.path("name").asText()).toList();
        assertEquals(names.size(), new HashSet<>(names).size(), "no repeats: " + names);
        assertEquals(names.stream().sorted().toList(), names, "ordered by name");
        assertTrue(names.containsAll(List.of("paged-1", "paged-2", "paged-3", "paged-4", "paged-5")), names.toString());
        assertEquals(api.walk("/api/v1/rooms", 500).size(), names.size(), "same rooms as one big page");
    }

    @Test
    void aRoomShowsItsMembersAsOnlineOrNot() {
        chat.member("show-cat", "shown");
        WsClient gone = chat.member("show-dan", "shown");
        Await.until("both memberships stored", Duration.ofSeconds(10),
                () -> api.get("/api/v1/rooms/shown").expect(200).path("members").size() == 2);
        gone.close();
        Await.until("dan offline", Duration.ofSeconds(10),
                () -> !member(api.get("/api/v1/rooms/shown").expect(200), "show-dan").path("online").asBoolean());

        JsonNode show = api.get("/api/v1/rooms/shown").expect(200);
        assertEquals("shown", show.path("room").path("name").asText(), show.toString());
        JsonNode cat = member(show, "show-cat");
        assertTrue(cat.path("online").asBoolean(), show.toString());
        assertEquals(1, cat.path("connections").asInt(), show.toString());
        assertTrue(cat.path("joinedAt").asLong() > 0, show.toString());
        JsonNode dan = member(show, "show-dan");
        assertEquals(0, dan.path("connections").asInt(), show.toString());
        assertEquals(1, show.path("room").path("online").asInt(), show.toString());
    }

    @Test
    void aRoomsMembersPageWithACursor() {
        for (int i = 0; i < 4; i++) chat.member("paged-member-" + i, "crowded");
        Await.until("memberships stored", Duration.ofSeconds(10),
                () -> api.get("/api/v1/rooms/crowded").expect(200).path("members").size() == 4);
        List<String> users = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/api/v1/rooms/crowded?limit=1" + (cursor == null ? "" : "&cursor=" + cursor)).expect(200);
            assertTrue(page.path("members").size() <= 1, page.toString());
            page.path("members").forEach(m -> users.add(m.path("user").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null && users.size() < 100);
        assertEquals(List.of("paged-member-0", "paged-member-1", "paged-member-2", "paged-member-3"), users);
    }

    @Test
    void anUnknownRoomIsA404Problem() {
        api.get("/api/v1/rooms/no-such-room").problem(404);
        api.get("/api/v1/rooms/no-such-room/messages").problem(404);
        api.post("/api/v1/rooms/no-such-room/close").problem(404);
        api.post("/api/v1/rooms/no-such-room/open").problem(404);
    }

    @Test
    void historyPagesBackwardsWithLimitAndBefore() {
        WsClient c = chat.member("pages-eve", "paged-history");
        for (int i = 1; i <= 5; i++) Chat.say(c, "paged-history", "line " + i);

        JsonNode newest = api.get("/api/v1/rooms/paged-history/messages?limit=2").expect(200);
        assertEquals(List.of(4L, 5L), seqs(newest.path("messages")), newest.toString());
        assertTrue(newest.path("hasMore").asBoolean());
        assertEquals("line 5", newest.path("messages").path(1).path("text").asText());
        assertEquals("pages-eve", newest.path("messages").path(1).path("from").asText());

        JsonNode middle = api.get("/api/v1/rooms/paged-history/messages?limit=2&before=4").expect(200);
        assertEquals(List.of(2L, 3L), seqs(middle.path("messages")), middle.toString());
        assertTrue(middle.path("hasMore").asBoolean());

        JsonNode oldest = api.get("/api/v1/rooms/paged-history/messages?limit=2&before=2").expect(200);
        assertEquals(List.of(1L), seqs(oldest.path("messages")), oldest.toString());
        assertFalse(oldest.path("hasMore").asBoolean());
    }

    @Test
    void deletingAMessageTellsTheMembersAndBlanksItInHistory() {
        WsClient author = chat.member("del-fred", "moderated");
        WsClient reader = chat.member("del-gail", "moderated");
        Chat.say(author, "moderated", "fine");
        long bad = Chat.say(author, "moderated", "something awful");
        Chat.say(author, "moderated", "also fine");

        api.delete("/api/v1/rooms/moderated/messages/" + bad + "?reason=offensive").expect(204);
        for (WsClient c : List.of(author, reader)) {
            JsonNode f = c.await("deleted");
            assertEquals("moderated", f.path("room").asText(), f.toString());
            assertEquals(bad, f.path("seq").asLong(), f.toString());
        }

        JsonNode messages = api.get("/api/v1/rooms/moderated/messages").expect(200).path("messages");
        assertEquals(List.of(1L, 2L, 3L), seqs(messages), "the seq stays in place");
        JsonNode blanked = messages.get(1);
        assertTrue(blanked.path("deleted").asBoolean(), blanked.toString());
        assertEquals("", blanked.path("text").asText(), blanked.toString());
        assertFalse(messages.get(0).path("deleted").asBoolean(), messages.toString());

        reader.send("type", "history", "room", "moderated", "id", "h");
        JsonNode inHistory = reader.await("history").path("messages").get(1);
        assertTrue(inHistory.path("deleted").asBoolean(), inHistory.toString());
        assertEquals("", inHistory.path("text").asText());
    }

    @Test
    void deletingAnUnknownMessageIsA404Problem() {
        chat.member("del-hugo", "moderated-empty");
        api.delete("/api/v1/rooms/moderated-empty/messages/999").problem(404);
        api.delete("/api/v1/rooms/no-such-room/messages/1").problem(404);
    }

    @Test
    void aNonNumericSeqIsA400Problem() {
        api.delete("/api/v1/rooms/moderated/messages/latest").problem(400);
    }

    @Test
    void closingARoomRemovesItsMembersAndRefusesJoinsUntilItIsOpened() {
        WsClient a = chat.member("close-ida", "closing");
        WsClient b = chat.member("close-jim", "closing", "staying");
        WsClient outsider = chat.member("close-kim", "staying");

        JsonNode answer = api.post("/api/v1/rooms/closing/close?reason=incident").expect(200);
        assertEquals(2, answer.path("removed").asInt(), answer.toString());
        for (WsClient c : List.of(a, b)) {
            JsonNode left = c.await("left");
            assertEquals("closing", left.path("room").asText(), left.toString());
            assertEquals("room_closed", left.path("reason").asText(), left.toString());
        }
        Chat.assertUntouched(outsider, "left");
        assertTrue(listed("closing").path("closed").asBoolean(), "listed as closed");
        assertEquals(0, api.get("/api/v1/connections?room=closing").expect(200).path("items").size(), "nobody is in it");
        assertEquals(0, listed("closing").path("connections").asInt());

        a.send("type", "send", "room", "closing", "id", "after-close", "text", "anyone?");
        assertEquals("not_joined", a.awaitError("after-close").path("code").asText());
        a.send("type", "join", "room", "closing", "id", "rejoin");
        assertEquals("room_closed", a.awaitError("rejoin").path("code").asText());
        WsClient late = chat.connect("close-lou");
        late.send("type", "join", "room", "closing", "id", "late");
        assertEquals("room_closed", late.awaitError("late").path("code").asText());
        Chat.say(b, "staying", "other rooms are unaffected");

        api.post("/api/v1/rooms/closing/open").expect(200);
        assertFalse(listed("closing").path("closed").asBoolean(), "listed as open");
        Chat.join(a, "closing");
        Chat.say(a, "closing", "back again");
    }
}
