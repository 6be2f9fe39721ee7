package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ResumeAndHistoryTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.rate", "1000", "limits.burst", "1000", "history.replay.max", "5"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient joined(String user, String room, Long since) {
        WsClient c = WsClient.connected(server.ws(server.token(user)));
        if (since == null) c.send("type", "join", "room", room, "id", "join");
        else c.send("type", "join", "room", room, "id", "join", "since", since);
        return c;
    }

    private static List<Long> sendAll(WsClient sender, String room, String prefix, int n) {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + i;
            sender.send("type", "send", "room", room, "id", id, "text", prefix + " " + i);
            seqs.add(sender.await(f -> "ack".equals(f.path("type").asText()) && id.equals(f.path("id").asText()),
                    "ack " + id).get("seq").asLong());
        }
        return seqs;
    }

    @Test
    void reconnectingWithSinceGetsExactlyTheMissedMessagesThenLiveOnes() {
        try (WsClient writer = joined("writer", "resume", null)) {
            writer.await("joined");
            sendAll(writer, "resume", "before", 3);
            long lastSeen;
            try (WsClient reader = joined("reader", "resume", null)) {
                lastSeen = reader.await("joined").get("seq").asLong();
            }
            List<Long> missed = sendAll(writer, "resume", "missed", 4);

            try (WsClient back = joined("reader", "resume", lastSeen)) {
                JsonNode joined = back.await("joined");
                assertEquals(4, joined.get("replayed").asInt());
                assertFalse(joined.get("hasMore").asBoolean());
                List<Long> replayed = new ArrayList<>();
                for (int i = 0; i < 4; i++) replayed.add(back.await("message").get("seq").asLong());
                assertEquals(missed, replayed);
                writer.send("type", "send", "room", "resume", "id", "live", "text", "live");
                JsonNode live = back.await("message");
                assertEquals("live", live.get("text").asText());
                assertEquals(missed.get(3) + 1, live.get("seq").asLong());
                assertTrue(back.drain(Duration.ofMillis(200)).stream().noneMatch(f -> "message".equals(f.path("type").asText())),
                        "nothing is seen twice");
            }
        }
    }

    @Test
    void aReplayLongerThanTheLimitSendsTheNewestAndSaysWhereToPage() {
        try (WsClient writer = joined("w2", "long", null)) {
            long start = writer.await("joined").get("seq").asLong();
            List<Long> seqs = sendAll(writer, "long", "x", 8);
            try (WsClient back = joined("r2", "long", start)) {
                JsonNode joined = back.await("joined");
                assertEquals(5, joined.get("replayed").asInt());
                assertTrue(joined.get("hasMore").asBoolean());
                assertEquals(seqs.get(3), joined.get("firstReplayed").asLong());
                for (int i = 3; i < 8; i++) assertEquals(seqs.get(i), back.await("message").get("seq").asLong());

                back.send("type", "history", "room", "long", "before", seqs.get(3), "limit", 10, "id", "page");
                JsonNode page = back.await("history");
                assertEquals("page", page.get("id").asText());
                List<Long> older = new ArrayList<>();
                page.get("messages").forEach(m -> older.add(m.get("seq").asLong()));
                assertEquals(seqs.subList(0, 3), older);
                assertFalse(page.get("hasMore").asBoolean());
            }
        }
    }

    @Test
    void historyPagesBackwardsWithHasMore() {
        try (WsClient c = joined("pager", "paged", null)) {
            c.await("joined");
            List<Long> seqs = sendAll(c, "paged", "p", 7);
            c.send("type", "history", "room", "paged", "limit", 3, "id", "h1");
            JsonNode newest = c.await("history");
            assertTrue(newest.get("hasMore").asBoolean());
            assertEquals(seqs.get(4), newest.get("messages").get(0).get("seq").asLong());
            assertEquals("p 6", newest.get("messages").get(2).get("text").asText());
            c.send("type", "history", "room", "paged", "limit", 3, "before", seqs.get(1), "id", "h2");
            JsonNode oldest = c.await("history");
            assertEquals(1, oldest.get("messages").size());
            assertFalse(oldest.get("hasMore").asBoolean());
        }
    }

    @Test
    void historyOfAnUnknownRoomIsAnError() {
        try (WsClient c = WsClient.connected(server.ws(server.token("curious")))) {
            c.send("type", "history", "room", "nowhere", "id", "h");
            assertEquals("room_not_found", c.awaitError("h").get("code").asText());
        }
    }

    @Test
    void historySurvivesARestart() {
        TestServer own = TestServer.start(Map.of());
        try {
            try (WsClient c = WsClient.connected(own.ws(own.token("keeper")))) {
                c.send("type", "join", "room", "kept", "id", "j");
                c.await("joined");
                c.send("type", "send", "room", "kept", "id", "k1", "text", "remember me");
                c.await("ack");
            }
            own = own.restart();
            try (WsClient c = WsClient.connected(own.ws(own.token("keeper")))) {
                c.send("type", "join", "room", "kept", "id", "j", "since", 0);
                JsonNode joined = c.await("joined");
                assertEquals(1, joined.get("seq").asLong());
                assertEquals("remember me", c.await("message").get("text").asText());
                c.send("type", "send", "room", "kept", "id", "k2", "text", "after restart");
                assertEquals(2, c.await("ack").get("seq").asLong(), "seq continues after a restart");
                c.send("type", "send", "room", "kept", "id", "k1", "text", "remember me");
                JsonNode dup = c.await("ack");
                assertEquals(1, dup.get("seq").asLong(), "a retry from before the restart is still recognised");
                assertTrue(dup.get("duplicate").asBoolean());
            }
        } finally {
            own.close();
        }
    }
}
