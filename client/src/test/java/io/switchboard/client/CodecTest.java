package io.switchboard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fixtures from docs/protocol.md: the client reads every server frame and writes every client frame. */
class CodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void welcome() {
        Welcome w = (Welcome) Codec.decode("{\"type\":\"welcome\",\"connectionId\":\"Gk3x9Qm2aB7c\",\"user\":\"alice\","
                + "\"name\":\"Alice\",\"serverTime\":1763708400000,\"heartbeat\":25,\"limits\":{\"frameBytes\":16384,"
                + "\"textChars\":4000,\"ratePerSecond\":20,\"burst\":40,\"roomsPerConnection\":50,\"historyPageMax\":200},"
                + "\"dms\":{\"seq\":41,\"epoch\":\"x7Kq\"}}");
        assertEquals(new Welcome("Gk3x9Qm2aB7c", "alice", "Alice", 1763708400000L, Duration.ofSeconds(25),
                Map.of("frameBytes", 16384, "textChars", 4000, "ratePerSecond", 20, "burst", 40,
                        "roomsPerConnection", 50, "historyPageMax", 200), new Position(41, "x7Kq")), w);
        assertEquals(7, w.limit("missing", 7));
        assertEquals(null, ((Welcome) Codec.decode("{\"type\":\"welcome\",\"user\":\"a\",\"limits\":{}}")).dms(),
                "a server without DM streams");
    }

    @Test
    void joinedWithAndWithoutReplay() {
        assertEquals(new Joined("lobby", 43, List.of("alice", "bob"), 2, false, 42L, "Qe2x"), Codec.decode(
                "{\"type\":\"joined\",\"id\":\"j1\",\"room\":\"lobby\",\"seq\":43,\"members\":[\"alice\",\"bob\"],"
                        + "\"replayed\":2,\"hasMore\":false,\"firstReplayed\":42,\"epoch\":\"Qe2x\"}"));
        assertEquals(new Joined("lobby", 43, List.of(), 0, false, null, null),
                Codec.decode("{\"type\":\"joined\",\"room\":\"lobby\",\"seq\":43,\"members\":[]}"));
    }

    @Test
    void roomAndDirectMessagesAndAcks() {
        assertEquals(new Message("lobby", 42, "b-17", "bob", "Bob", "are you there?", 1763708390000L, false, false),
                Codec.decode("{\"type\":\"message\",\"room\":\"lobby\",\"seq\":42,\"id\":\"b-17\",\"from\":\"bob\","
                        + "\"name\":\"Bob\",\"text\":\"are you there?\",\"ts\":1763708390000}"));
        assertEquals(new DirectMessage(7, "a-2", "alice", "Alice", "carol", "lunch?", 1763708402000L),
                Codec.decode("{\"type\":\"dm\",\"seq\":7,\"id\":\"a-2\",\"from\":\"alice\",\"name\":\"Alice\","
                        + "\"to\":\"carol\",\"text\":\"lunch?\",\"ts\":1763708402000}"));
        assertEquals(new Ack("a-1", "lobby", null, 44, 1763708401000L, false),
                Codec.decode("{\"type\":\"ack\",\"id\":\"a-1\",\"room\":\"lobby\",\"seq\":44,\"ts\":1763708401000}"));
        assertEquals(new Ack("a-2", null, "carol", 7, 1L, true),
                Codec.decode("{\"type\":\"ack\",\"id\":\"a-2\",\"to\":\"carol\",\"seq\":7,\"ts\":1,\"duplicate\":true}"));
    }

    @Test
    void historyWithRemovedAndSystemMessages() {
        Codec.HistoryFrame h = (Codec.HistoryFrame) Codec.decode("{\"type\":\"history\",\"id\":\"h1\",\"room\":\"lobby\","
                + "\"messages\":[{\"room\":\"lobby\",\"seq\":43,\"id\":\"system-x\",\"from\":\"system\",\"text\":\"\","
                + "\"ts\":5,\"system\":true,\"deleted\":true}],\"hasMore\":true}");
        assertEquals("h1", h.id());
        assertEquals(new History("lobby", List.of(new Message("lobby", 43, "system-x", "system", null, "", 5, true, true)), true),
                h.history());
    }

    @Test
    void directMessageHistoryAndIdConflicts() {
        Codec.DmHistoryFrame h = (Codec.DmHistoryFrame) Codec.decode("{\"type\":\"dm_history\",\"id\":\"h2\",\"messages\":["
                + "{\"type\":\"dm\",\"seq\":6,\"id\":\"b-1\",\"from\":\"bob\",\"to\":\"alice\",\"text\":\"hi\",\"ts\":1},"
                + "{\"type\":\"dm\",\"seq\":7,\"id\":\"a-2\",\"from\":\"alice\",\"name\":\"Alice\",\"to\":\"carol\",\"text\":\"lunch?\",\"ts\":2}],"
                + "\"hasMore\":true}");
        assertEquals("h2", h.id());
        assertEquals(new DirectHistory(List.of(new DirectMessage(6, "b-1", "bob", null, "alice", "hi", 1),
                new DirectMessage(7, "a-2", "alice", "Alice", "carol", "lunch?", 2)), true), h.history());
        assertEquals(new Codec.ErrorFrame("id_conflict", "id a-2 names another message", "a-2"), Codec.decode(
                "{\"type\":\"error\",\"code\":\"id_conflict\",\"message\":\"id a-2 names another message\",\"id\":\"a-2\"}"));
    }

    @Test
    void loneSurrogatesAreFoundAndPairsAreNot() {
        assertEquals(false, Codec.hasLoneSurrogate("caf\u00e9 \ud83d\ude00"));
        assertEquals(true, Codec.hasLoneSurrogate("a\ud83d"));
        assertEquals(true, Codec.hasLoneSurrogate("\ude00b"));
        assertEquals(true, Codec.hasLoneSurrogate("\ud83d\ud83d\ude00"));
    }

    @Test
    void noticesAndModeration() {
        assertEquals(new Presence("lobby", "bob", "join"), Codec.decode("{\"type\":\"presence\",\"room\":\"lobby\",\"user\":\"bob\",\"event\":\"join\"}"));
        assertEquals(new SystemNotice("maintenance", "lobby", 9L, 3),
                Codec.decode("{\"type\":\"system\",\"text\":\"maintenance\",\"room\":\"lobby\",\"seq\":9,\"ts\":3}"));
        assertEquals(new SystemNotice("hello all", null, null, 3), Codec.decode("{\"type\":\"system\",\"text\":\"hello all\",\"ts\":3}"));
        assertEquals(new Deleted("lobby", 9), Codec.decode("{\"type\":\"deleted\",\"room\":\"lobby\",\"seq\":9}"));
        assertEquals(new Kicked("flooding"), Codec.decode("{\"type\":\"kicked\",\"reason\":\"flooding\"}"));
        assertEquals(new Codec.LeftFrame(null, new Left("lobby", "room_closed")),
                Codec.decode("{\"type\":\"left\",\"room\":\"lobby\",\"reason\":\"room_closed\"}"));
        assertEquals(new Codec.ErrorFrame("invalid_frame", "field 'text' is required", "a-3"),
                Codec.decode("{\"type\":\"error\",\"code\":\"invalid_frame\",\"message\":\"field 'text' is required\",\"id\":\"a-3\"}"));
    }

    @Test
    void unknownTypesAndFieldsAreToleratedButNonJsonIsNot() {
        assertEquals(new Codec.Unknown("future"), Codec.decode("{\"type\":\"future\",\"x\":1}"));
        assertEquals(new Deleted("r", 1), Codec.decode("{\"type\":\"deleted\",\"room\":\"r\",\"seq\":1,\"extra\":true}"));
        SwitchboardException e = assertThrows(SwitchboardException.class, () -> Codec.decode("not json"));
        assertEquals("bad_frame", e.code());
        assertInstanceOf(SwitchboardException.class, assertThrows(SwitchboardException.class, () -> Codec.decode("[1]")));
    }

    @Test
    void clientFrames() throws Exception {
        assertEquals(JSON.readTree("{\"type\":\"join\",\"id\":\"j\",\"room\":\"lobby\",\"since\":41}"),
                JSON.readTree(Codec.join("j", "lobby", 41L, null)));
        assertEquals(JSON.readTree("{\"type\":\"join\",\"id\":\"j\",\"room\":\"lobby\",\"since\":41,\"epoch\":\"Qe2x\"}"),
                JSON.readTree(Codec.join("j", "lobby", 41L, "Qe2x")));
        assertEquals(JSON.readTree("{\"type\":\"join\",\"id\":\"j\",\"room\":\"lobby\"}"), JSON.readTree(Codec.join("j", "lobby", null, null)));
        assertEquals(JSON.readTree("{\"type\":\"dm_history\",\"id\":\"h\",\"before\":42,\"limit\":10}"),
                JSON.readTree(Codec.dmHistory("h", 42L, 10)));
        assertEquals(JSON.readTree("{\"type\":\"dm_history\",\"id\":\"h\"}"), JSON.readTree(Codec.dmHistory("h", null, null)));
        assertEquals(JSON.readTree("{\"type\":\"leave\",\"id\":\"l\",\"room\":\"lobby\"}"), JSON.readTree(Codec.leave("l", "lobby")));
        assertEquals(JSON.readTree("{\"type\":\"send\",\"id\":\"a-1\",\"room\":\"lobby\",\"text\":\"say \\\"hi\\\"\"}"),
                JSON.readTree(Codec.send("a-1", "lobby", "say \"hi\"")));
        assertEquals(JSON.readTree("{\"type\":\"dm\",\"id\":\"a-2\",\"to\":\"carol\",\"text\":\"lunch?\"}"),
                JSON.readTree(Codec.dm("a-2", "carol", "lunch?")));
        assertEquals(JSON.readTree("{\"type\":\"history\",\"id\":\"h\",\"room\":\"lobby\",\"before\":42,\"limit\":10}"),
                JSON.readTree(Codec.history("h", "lobby", 42L, 10)));
        assertEquals(JSON.readTree("{\"type\":\"history\",\"id\":\"h\",\"room\":\"lobby\"}"),
                JSON.readTree(Codec.history("h", "lobby", null, null)));
    }
}
