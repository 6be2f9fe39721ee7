package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pins the wire format of every frame type: a change here is a protocol change (docs/protocol.md). */
class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec(new ObjectMapper());

    @Test
    void serverFramesHaveTheDocumentedShape() {
        assertEquals("{\"type\":\"welcome\",\"connectionId\":\"c1\",\"user\":\"alice\",\"name\":\"Alice\",\"serverTime\":5,"
                        + "\"heartbeat\":25,\"limits\":{\"textChars\":10}}",
                codec.encode(new ServerFrame.Welcome("c1", "alice", "Alice", 5, 25, Map.of("textChars", 10))));
        assertEquals("{\"type\":\"welcome\",\"connectionId\":\"c1\",\"user\":\"alice\",\"serverTime\":5,"
                        + "\"heartbeat\":25,\"limits\":{},\"dms\":{\"seq\":7,\"epoch\":\"e1\"}}",
                codec.encode(new ServerFrame.Welcome("c1", "alice", null, 5, 25, Map.of(), new ServerFrame.StreamPosition(7, "e1"))));
        assertEquals("{\"type\":\"joined\",\"id\":\"j\",\"room\":\"r\",\"seq\":4,\"epoch\":\"e1\",\"members\":[\"a\"],"
                        + "\"replayed\":2,\"hasMore\":false,\"firstReplayed\":3}",
                codec.encode(new ServerFrame.Joined("j", "r", 4, "e1", List.of("a"), 2, false, 3L)));
        assertEquals("{\"type\":\"joined\",\"room\":\"r\",\"seq\":0,\"epoch\":\"e1\",\"members\":[]}",
                codec.encode(new ServerFrame.Joined(null, "r", 0, "e1", List.of(), null, null, null)));
        assertEquals("{\"type\":\"dm_history\",\"id\":\"h\",\"messages\":[{\"type\":\"dm\",\"seq\":2,\"id\":\"d\","
                        + "\"from\":\"a\",\"to\":\"b\",\"text\":\"x\",\"ts\":9}],\"hasMore\":true}",
                codec.encode(new ServerFrame.DmHistory("h", List.of(new ServerFrame.DirectMessage(2, "d", "a", null, "b", "x", 9)), true)));
        assertEquals("{\"type\":\"left\",\"room\":\"r\"}", codec.encode(new ServerFrame.Left(null, "r", null)));
        assertEquals("{\"type\":\"left\",\"room\":\"r\",\"reason\":\"room_closed\"}",
                codec.encode(new ServerFrame.Left(null, "r", "room_closed")));
        assertEquals("{\"type\":\"message\",\"room\":\"r\",\"seq\":1,\"id\":\"m\",\"from\":\"a\",\"text\":\"hi\",\"ts\":9}",
                codec.encode(new ServerFrame.Message("r", 1, "m", "a", null, "hi", 9)));
        assertEquals("{\"type\":\"dm\",\"seq\":2,\"id\":\"d\",\"from\":\"a\",\"name\":\"A\",\"to\":\"b\",\"text\":\"x\",\"ts\":9}",
                codec.encode(new ServerFrame.DirectMessage(2, "d", "a", "A", "b", "x", 9)));
        assertEquals("{\"type\":\"ack\",\"id\":\"m\",\"room\":\"r\",\"seq\":1,\"ts\":9}",
                codec.encode(new ServerFrame.Ack("m", "r", null, 1, 9, null)));
        assertEquals("{\"type\":\"ack\",\"id\":\"d\",\"to\":\"b\",\"seq\":2,\"ts\":9,\"duplicate\":true}",
                codec.encode(new ServerFrame.Ack("d", null, "b", 2, 9, true)));
        assertEquals("{\"type\":\"history\",\"id\":\"h\",\"room\":\"r\",\"messages\":[{\"type\":\"message\",\"room\":\"r\","
                        + "\"seq\":1,\"id\":\"m\",\"from\":\"a\",\"text\":\"hi\",\"ts\":9}],\"hasMore\":false}",
                codec.encode(new ServerFrame.History("h", "r", List.of(new ServerFrame.Message("r", 1, "m", "a", null, "hi", 9)), false)));
        assertEquals("{\"type\":\"presence\",\"room\":\"r\",\"user\":\"a\",\"event\":\"join\"}",
                codec.encode(new ServerFrame.Presence("r", "a", "join")));
        assertEquals("{\"type\":\"system\",\"text\":\"maintenance\",\"ts\":9}",
                codec.encode(new ServerFrame.SystemNotice("maintenance", null, null, 9)));
        assertEquals("{\"type\":\"system\",\"text\":\"closing at 5\",\"room\":\"r\",\"seq\":7,\"ts\":9}",
                codec.encode(new ServerFrame.SystemNotice("closing at 5", "r", 7L, 9)));
        assertEquals("{\"type\":\"kicked\",\"reason\":\"spam\"}", codec.encode(new ServerFrame.Kicked("spam")));
        assertEquals("{\"type\":\"deleted\",\"room\":\"r\",\"seq\":3}", codec.encode(new ServerFrame.Deleted("r", 3)));
        assertEquals("{\"type\":\"message\",\"room\":\"r\",\"seq\":3,\"id\":\"m\",\"from\":\"system\",\"text\":\"\","
                        + "\"ts\":9,\"system\":true,\"deleted\":true}",
                codec.encode(new ServerFrame.Message("r", 3, "m", "system", null, "", 9, true, true)));
        assertEquals("{\"type\":\"error\",\"code\":\"busy\",\"message\":\"later\",\"id\":\"m\"}",
                codec.encode(new ServerFrame.Error("busy", "later", "m")));
        assertEquals("{\"type\":\"pong\",\"id\":\"p\",\"serverTime\":9}", codec.encode(new ServerFrame.Pong("p", 9)));
    }

    @Test
    void clientFramesDecodeToTheirRecords() throws ProtocolException {
        assertEquals(new ClientFrame.Join("1", "lobby", 41L, null), codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"lobby\",\"since\":41}"));
        assertEquals(new ClientFrame.Join("1", "lobby", 41L, "e1"),
                codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"lobby\",\"since\":41,\"epoch\":\"e1\"}"));
        assertEquals(new ClientFrame.DmHistory("h", 10L, 5), codec.decode("{\"type\":\"dm_history\",\"id\":\"h\",\"before\":10,\"limit\":5}"));
        assertEquals(new ClientFrame.Leave(null, "lobby"), codec.decode("{\"type\":\"leave\",\"room\":\"lobby\"}"));
        assertEquals(new ClientFrame.Send("m", "lobby", "hi"), codec.decode("{\"type\":\"send\",\"id\":\"m\",\"room\":\"lobby\",\"text\":\"hi\"}"));
        assertEquals(new ClientFrame.Dm("d", "bob", "yo"), codec.decode("{\"type\":\"dm\",\"id\":\"d\",\"to\":\"bob\",\"text\":\"yo\"}"));
        assertEquals(new ClientFrame.History(null, "lobby", 10L, 5), codec.decode("{\"type\":\"history\",\"room\":\"lobby\",\"before\":10,\"limit\":5}"));
        assertEquals(new ClientFrame.Ping("p"), codec.decode("{\"type\":\"ping\",\"id\":\"p\"}"));
    }

    @Test
    void loneSurrogatesAreRefusedInEveryStringFieldOfEveryFrameType() {
        String lone = "a\\ud800b";
        String lowFirst = "a\\udc00b";
        for (String bad : List.of(lone, lowFirst, "\\ud800", "x\\udbff")) {
            for (String frame : List.of(
                    "{\"type\":\"send\",\"room\":\"r\",\"id\":\"s1\",\"text\":\"" + bad + "\"}",
                    "{\"type\":\"send\",\"room\":\"" + bad + "\",\"id\":\"s1\",\"text\":\"t\"}",
                    "{\"type\":\"send\",\"room\":\"r\",\"id\":\"" + bad + "\",\"text\":\"t\"}",
                    "{\"type\":\"dm\",\"to\":\"bob\",\"id\":\"d1\",\"text\":\"" + bad + "\"}",
                    "{\"type\":\"dm\",\"to\":\"" + bad + "\",\"id\":\"d1\",\"text\":\"t\"}",
                    "{\"type\":\"join\",\"room\":\"" + bad + "\"}",
                    "{\"type\":\"join\",\"room\":\"r\",\"since\":1,\"epoch\":\"" + bad + "\"}",
                    "{\"type\":\"leave\",\"room\":\"" + bad + "\"}",
                    "{\"type\":\"history\",\"room\":\"" + bad + "\"}",
                    "{\"type\":\"ping\",\"id\":\"" + bad + "\"}")) {
                ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(frame), frame);
                assertEquals(ErrorCode.INVALID_FRAME, e.code(), frame);
                assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
            }
        }
    }

    @Test
    void loneSurrogatesAreRefusedAnywhereInAFrameIgnoredFieldsAndFieldNamesIncluded() {
        for (String frame : List.of(
                "{\"type\":\"p\\ud800ng\"}",
                "{\"type\":\"ping\",\"extra\":\"\\ud800\"}",
                "{\"type\":\"send\",\"room\":\"r\",\"id\":\"s1\",\"text\":\"t\",\"junk\":\"\\udc00\"}",
                "{\"type\":\"ping\",\"nested\":{\"deep\":[\"ok\",\"\\ud800\"]}}",
                "{\"type\":\"ping\",\"\\ud800key\":1}")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(frame), frame);
            assertEquals(ErrorCode.INVALID_FRAME, e.code(), frame);
            assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
            assertTrue(codec.encode(e.toFrame()).length() > 0, "the error itself is encodable");
        }
        ProtocolException nested = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"send\",\"id\":\"s9\",\"room\":\"r\",\"text\":\"t\",\"meta\":{\"a\":[1,\"\\ud800\"]}}"));
        assertTrue(nested.getMessage().contains("'meta.a[1]'"), nested.getMessage());
        assertEquals("s9", nested.toFrame().id(), "the error still names the frame it answers");
    }

    @Test
    void surrogatePairsAreWellFormedText() throws ProtocolException {
        assertEquals(new ClientFrame.Send("s1", "r", "a\uD83D\uDE00b"),
                codec.decode("{\"type\":\"send\",\"room\":\"r\",\"id\":\"s1\",\"text\":\"a\\ud83d\\ude00b\"}"));
    }

    @Test
    void unknownFieldsAreIgnored() throws ProtocolException {
        assertEquals(new ClientFrame.Ping(null), codec.decode("{\"type\":\"ping\",\"extra\":{\"nested\":true}}"));
    }

    @Test
    void badInputBecomesAProtocolErrorNamingTheProblem() {
        assertEquals(ErrorCode.BAD_JSON, assertThrows(ProtocolException.class, () -> codec.decode("{")).code());
        assertEquals(ErrorCode.INVALID_FRAME, assertThrows(ProtocolException.class, () -> codec.decode("\"text\"")).code());
        assertEquals(ErrorCode.INVALID_FRAME, assertThrows(ProtocolException.class, () -> codec.decode("{\"type\":7}")).code());
        ProtocolException wrongType = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"send\",\"id\":\"x\",\"room\":\"r\",\"text\":42}"));
        assertEquals("field 'text' must be a string", wrongType.getMessage());
        assertEquals("x", wrongType.frameId());
        assertEquals(ErrorCode.INVALID_FRAME, assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"history\",\"room\":\"r\",\"limit\":0}")).code());
        assertEquals(ErrorCode.INVALID_FRAME, assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"join\",\"room\":\"r\",\"since\":1.5}")).code());
        assertEquals(ErrorCode.INVALID_FRAME, assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"ping\",\"id\":\"" + "i".repeat(200) + "\"}")).code());
        assertEquals(ErrorCode.UNKNOWN_TYPE, assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"nope\"}")).code());
    }
}
