package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each user's direct messages form one stream with gap-free positions that any connection resumes and pages. */
@Timeout(90)
class DirectMessageTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        // The default outbox (1024 frames): the backlog test stores more DMs than one outbox holds.
        server = TestServer.start(Map.of("limits.rate", "5000", "limits.burst", "5000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient online(String user) {
        return WsClient.connected(server.ws(server.token(user)));
    }

    private static URI resuming(String user, long dmSince) {
        return URI.create(server.ws(server.token(user)) + "&dmSince=" + dmSince);
    }

    /**
     * Sends a DM to oneself (a barrier: it is sequenced after everything stored before it) and returns every DM the
     * connection received up to and including its echo, in arrival order.
     */
    private static List<JsonNode> dmsThroughBarrier(WsClient c, String user) {
        String id = "barrier-" + System.nanoTime();
        c.send("type", "dm", "to", user, "id", id, "text", "barrier");
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode dm = c.await("dm");
            out.add(dm);
            if (id.equals(dm.path("id").asText())) return out;
        }
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }

    @Test
    void aDirectMessageReachesEveryConnectionOfBothUsersWithEachUsersOwnStreamPosition() {
        try (WsClient sender = online("dm-a"); WsClient senderTablet = online("dm-a");
             WsClient phone = online("dm-b"); WsClient laptop = online("dm-b")) {
            sender.send("type", "dm", "to", "dm-b", "id", "d1", "text", "psst");
            JsonNode ack = sender.await("ack");
            assertEquals("dm-b", ack.get("to").asText());
            for (WsClient c : List.of(sender, senderTablet)) {
                JsonNode echo = c.await("dm");
                assertEquals(ack.get("seq").asLong(), echo.get("seq").asLong(), "the sender's copy carries the acked seq");
            }
            long recipientSeq = phone.await("dm").get("seq").asLong();
            JsonNode onLaptop = laptop.await("dm");
            assertEquals(recipientSeq, onLaptop.get("seq").asLong());
            assertEquals("psst", onLaptop.get("text").asText());
            assertEquals("dm-a", onLaptop.get("from").asText());
        }
    }

    @Test
    void welcomeTellsWhereTheStreamStandsAndItsEpoch() {
        try (WsClient sender = online("dm-w1")) {
            for (int i = 0; i < 3; i++) {
                sender.send("type", "dm", "to", "dm-w2", "id", "w" + i, "text", "t" + i);
                sender.await("ack");
            }
        }
        WsClient c = WsClient.connect(server.ws(server.token("dm-w2")));
        try (c) {
            JsonNode welcome = c.await("welcome");
            assertEquals(3, welcome.path("dms").path("seq").asLong());
            assertFalse(welcome.path("dms").path("epoch").asText().isEmpty());
        }
    }

    @Test
    void withoutDmSinceAConnectionGetsLiveMessagesOnlyAndPagesTheRestWithDmHistory() {
        try (WsClient sender = online("dm-h1")) {
            for (int i = 1; i <= 7; i++) {
                sender.send("type", "dm", "to", "dm-h2", "id", "h" + i, "text", "t" + i);
                sender.await("ack");
            }
            try (WsClient fresh = online("dm-h2")) {
                List<JsonNode> got = dmsThroughBarrier(fresh, "dm-h2");
                assertEquals(1, got.size(), "nothing older was pushed: the first DM seen is the barrier");
                assertEquals(8, last(got).get("seq").asLong());
                fresh.send("type", "dm_history", "id", "p1", "limit", 5);
                JsonNode page = fresh.await("dm_history");
                assertTrue(page.get("hasMore").asBoolean());
                assertEquals(List.of(4L, 5L, 6L, 7L, 8L), seqs(page.get("messages")));
                fresh.send("type", "dm_history", "id", "p2", "before", 4, "limit", 5);
                JsonNode older = fresh.await("dm_history");
                assertFalse(older.get("hasMore").asBoolean());
                assertEquals(List.of(1L, 2L, 3L), seqs(older.get("messages")));
                assertEquals("t1", older.get("messages").get(0).get("text").asText());
            }
        }
    }

    @Test
    void aDmDeliveredToThePhoneStillReachesTheLaptopThatResumesLater() {
        try (WsClient sender = online("dm-m1"); WsClient phone = online("dm-m2")) {
            sender.send("type", "dm", "to", "dm-m2", "id", "m1", "text", "hello phone");
            assertEquals("hello phone", phone.await("dm").get("text").asText());
        }
        try (WsClient laptop = WsClient.connected(resuming("dm-m2", 0))) {
            JsonNode dm = laptop.await("dm");
            assertEquals("hello phone", dm.get("text").asText());
            assertEquals(1, dm.get("seq").asLong());
        }
    }

    @Test
    void resumingWithDmSinceGivesExactlyTheMissedMessagesInOrderThenLiveOnes() {
        try (WsClient sender = online("dm-r1")) {
            for (int i = 1; i <= 10; i++) {
                sender.send("type", "dm", "to", "dm-r2", "id", "r" + i, "text", "t" + i);
                sender.await("ack");
            }
            try (WsClient resumed = WsClient.connected(resuming("dm-r2", 6))) {
                sender.send("type", "dm", "to", "dm-r2", "id", "r11", "text", "t11");
                sender.await("ack");
                List<JsonNode> got = dmsThroughBarrier(resumed, "dm-r2");
                assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L), seqs(got));
            }
        }
    }

    @Test
    void aBacklogLargerThanTheOutboxArrivesCompleteAndTheConnectionStaysOpen() {
        int n = 1_100; // more than the default outbox of 1024 frames
        try (WsClient sender = online("dm-big1")) {
            for (int i = 0; i < n; i++) sender.send("type", "dm", "to", "dm-big2", "id", "b" + i, "text", "backlog " + i);
            for (int i = 0; i < n; i++) sender.await("ack");
        }
        for (int device = 0; device < 2; device++) { // a second device gets it all again: nothing is "used up"
            try (WsClient late = WsClient.connected(resuming("dm-big2", 0))) {
                List<JsonNode> got = dmsThroughBarrier(late, "dm-big2");
                assertEquals(n + device + 1, got.size(), "device " + device + ": the backlog, earlier barriers, this one");
                for (int i = 0; i < n; i++) {
                    assertEquals(i + 1, got.get(i).get("seq").asLong());
                    assertEquals("backlog " + i, got.get(i).get("text").asText());
                }
                assertTrue(late.isOpen());
            }
        }
    }

    @Test
    void aDmEpochFromAnotherStoreReplaysNothing() {
        try (WsClient sender = online("dm-e1")) {
            sender.send("type", "dm", "to", "dm-e2", "id", "e1", "text", "x");
            sender.await("ack");
        }
        URI other = URI.create(resuming("dm-e2", 0) + "&dmEpoch=not-this-one");
        try (WsClient c = WsClient.connect(other)) {
            JsonNode welcome = c.await("welcome");
            assertNotEquals("not-this-one", welcome.path("dms").path("epoch").asText());
            List<JsonNode> got = dmsThroughBarrier(c, "dm-e2");
            assertEquals(List.of(2L), seqs(got), "seq 1 was not replayed under another epoch");
        }
    }

    @Test
    void aMalformedDmSinceIsReportedAndTheConnectionWorks() {
        for (String bad : List.of("-1", "abc", "1e3", "99999999999999999999")) {
            try (WsClient c = WsClient.connect(URI.create(server.ws(server.token("dm-bad")) + "&dmSince=" + bad))) {
                c.await("welcome");
                JsonNode error = c.await("error");
                assertEquals("invalid_frame", error.get("code").asText());
                assertTrue(error.get("message").asText().contains("dmSince"), error.toString());
                c.roundTrip();
            }
        }
    }

    @Test
    void aDmToSomethingNoTokenCouldNameIsRefusedAndNothingIsStored() {
        try (WsClient c = online("dm-to-rules")) {
            int n = 0;
            for (String to : List.of("a\u0000b", "tab\there", " ", "x".repeat(129), "system", "SYSTEM")) {
                String id = "bad-to-" + n++;
                c.send("type", "dm", "to", to, "id", id, "text", "hi");
                JsonNode e = c.awaitError(id);
                assertEquals("invalid_frame", e.get("code").asText(), to);
                assertTrue(e.get("message").asText().contains("'to'"), e.toString());
            }
            assertEquals(List.of(1L), seqs(dmsThroughBarrier(c, "dm-to-rules")), "nothing was stored in the sender's stream");
        }
    }

    @Test
    void storedAndLiveDirectMessagesReachAResumingUserInSeqOrder() {
        try (WsClient offlineSender = online("dm-early"); WsClient liveSender = online("dm-late")) {
            for (int round = 0; round < 5; round++) {
                String target = "dm-racer-" + round;
                for (int i = 0; i < 5; i++) {
                    offlineSender.send("type", "dm", "to", target, "id", target + "-old-" + i, "text", "old " + i);
                    offlineSender.await("ack");
                }
                try (WsClient recipient = WsClient.connected(resuming(target, 0))) {
                    for (int i = 0; i < 5; i++) liveSender.send("type", "dm", "to", target, "id", target + "-new-" + i, "text", "new " + i);
                    for (int i = 1; i <= 10; i++) {
                        assertEquals(i, recipient.await("dm").get("seq").asLong(), "round " + round);
                    }
                    for (int i = 0; i < 5; i++) liveSender.await("ack");
                }
            }
        }
    }

    @Test
    void directMessagesAreGapFreePerRecipient() {
        try (WsClient a = online("dm-o1"); WsClient b = online("dm-o2"); WsClient target = online("dm-target")) {
            for (int i = 0; i < 20; i++) (i % 2 == 0 ? a : b).send("type", "dm", "to", "dm-target", "id", "s" + i, "text", "t" + i);
            for (int i = 1; i <= 20; i++) assertEquals(i, target.await("dm").get("seq").asLong());
        }
    }

    private static List<Long> seqs(Iterable<JsonNode> frames) {
        List<Long> out = new ArrayList<>();
        for (JsonNode f : frames) out.add(f.get("seq").asLong());
        return out;
    }
}
