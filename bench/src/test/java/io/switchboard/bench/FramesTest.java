package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FramesTest {
    @Test
    void aMessageTextHasThePayloadLengthAndCarriesItsSendTime() {
        String text = Frames.text(123_456_789_012L, 100);
        assertEquals(100, text.length());
        assertEquals(123_456_789_012L, Frames.markerNanos(text));
    }

    @Test
    void negativeNanoTimesSurviveTheRoundTrip() {
        assertEquals(-42L, Frames.markerNanos(Frames.text(-42L, 10)));
        assertEquals(-7L, Frames.ackNanos("{\"type\":\"ack\",\"id\":\"a-7\",\"room\":\"r0\",\"seq\":3,\"ts\":1}"));
    }

    @Test
    void theSendTimeIsFoundInsideASwitchboardMessageFrame() {
        String frame = "{\"type\":\"message\",\"room\":\"r3\",\"seq\":17,\"id\":\"a99\",\"from\":\"u5\",\"text\":\""
                + Frames.text(555L, 40) + "\",\"ts\":1763708400000}";
        assertEquals("message", Frames.type(frame));
        assertEquals(555L, Frames.markerNanos(frame));
    }

    @Test
    void frameTypesAndFieldsAreReadWithoutAJsonParser() {
        assertEquals("welcome", Frames.type("{\"type\":\"welcome\",\"connectionId\":\"x\"}"));
        assertEquals("ack", Frames.type("{\"type\":\"ack\",\"id\":\"a1\"}"));
        assertEquals("", Frames.type("joined:r1"));
        assertEquals("busy", Frames.field("{\"type\":\"error\",\"code\":\"busy\",\"message\":\"m\"}", "code"));
        assertNull(Frames.field("{\"type\":\"error\"}", "code"));
    }

    @Test
    void numbersAndFlagsAreReadFromJoinedAndMessageFrames() {
        String joined = "{\"type\":\"joined\",\"id\":\"resume\",\"room\":\"r3\",\"seq\":43,\"epoch\":\"q3Jx9_Lm\","
                + "\"members\":[\"u3\"],\"replayed\":2,\"hasMore\":false,\"firstReplayed\":42}";
        assertEquals(43, Frames.seq(joined));
        assertEquals(2, Frames.number(joined, "replayed"));
        assertEquals(42, Frames.number(joined, "firstReplayed"));
        assertEquals(Frames.NONE, Frames.number(joined, "absent"));
        assertEquals("q3Jx9_Lm", Frames.field(joined, "epoch"));
        assertEquals(false, Frames.isTrue(joined, "hasMore"));
        assertEquals(true, Frames.isTrue(joined.replace("\"hasMore\":false", "\"hasMore\":true"), "hasMore"));
        String message = "{\"type\":\"message\",\"room\":\"r3\",\"seq\":17,\"id\":\"g.r3.1\",\"from\":\"f0\",\"text\":\""
                + Frames.text(555L, 40) + "\",\"ts\":1763708400000}";
        assertEquals(17, Frames.seq(message));
        assertEquals(Frames.NONE, Frames.seq("{\"type\":\"presence\"}"));
    }

    @Test
    void framesWithoutAMarkerAreRecognised() {
        assertEquals(Frames.NONE, Frames.markerNanos("{\"type\":\"presence\",\"room\":\"r1\",\"user\":\"u1\",\"event\":\"join\"}"));
        assertEquals(Frames.NONE, Frames.ackNanos("{\"type\":\"ack\",\"id\":\"other\"}"));
        assertTrue(Frames.text(1L, 1).startsWith(Frames.MARKER));
    }

    @Test
    void aTextCarriesItsSendersNodeWhenKnown() {
        String text = Frames.text(-123_456L, 100, 1);
        assertEquals(100, text.length());
        assertEquals(-123_456L, Frames.markerNanos(text));
        assertEquals(1, Frames.senderNode(text));
        String frame = "{\"type\":\"message\",\"room\":\"r3\",\"seq\":1,\"id\":\"a9\",\"from\":\"u5\",\"text\":\""
                + Frames.text(555L, 40, 12) + "\",\"ts\":1}";
        assertEquals(12, Frames.senderNode(frame));
        assertEquals(555L, Frames.markerNanos(frame));
    }

    @Test
    void aTextWithoutANodeSaysSo() {
        assertEquals(-1, Frames.senderNode(Frames.text(555L, 40)));
        assertEquals(-1, Frames.senderNode(Frames.text(555L, 40, -1)));
        assertEquals(Frames.text(555L, 40), Frames.text(555L, 40, -1));
        assertEquals(-1, Frames.senderNode("~T12|n"));
        assertEquals(-1, Frames.senderNode("~T12|n3"));
        assertEquals(-1, Frames.senderNode("~T12|nx|"));
        assertEquals(-1, Frames.senderNode("no marker"));
        // Padding never looks like a node: a payload shorter than the marker and tag still reads back.
        assertEquals(0, Frames.senderNode(Frames.text(7L, 1, 0)));
    }

    @Test
    void aDeliveryCrossesNodesOnlyWhenBothNodesAreKnownAndDiffer() {
        assertEquals(0, Stats.crossing(1, 1));
        assertEquals(1, Stats.crossing(0, 1));
        assertEquals(-1, Stats.crossing(-1, 1));
        assertEquals(-1, Stats.crossing(0, -1));
    }
}
