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
class RoomMessagingTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.rate", "1000", "limits.burst", "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient joined(String user, String room) {
        WsClient c = WsClient.connected(server.ws(server.token(user)));
        c.send("type", "join", "room", room, "id", "j-" + user);
        c.await("joined");
        return c;
    }

    @Test
    void welcomeNamesTheUserAndTheHeartbeat() {
        try (WsClient c = WsClient.connect(server.ws(server.token("wendy")))) {
            JsonNode welcome = c.await("welcome");
            assertEquals("wendy", welcome.get("user").asText());
            assertTrue(welcome.get("heartbeat").asLong() > 0);
            assertFalse(welcome.get("connectionId").asText().isEmpty());
        }
    }

    @Test
    void twoUsersInARoomSeeEachOthersMessagesInSeqOrder() {
        try (WsClient alice = joined("alice", "lobby"); WsClient bob = joined("bob", "lobby")) {
            for (int i = 0; i < 50; i++) {
                (i % 2 == 0 ? alice : bob).send("type", "send", "room", "lobby", "id", "m" + i, "text", "hello " + i);
            }
            for (WsClient c : List.of(alice, bob)) {
                List<Long> seqs = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    JsonNode m = c.await("message");
                    seqs.add(m.get("seq").asLong());
                    texts.add(m.get("text").asText());
                }
                for (int i = 1; i < seqs.size(); i++) assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "gap-free seq");
                assertTrue(texts.contains("hello 0") && texts.contains("hello 49"));
            }
        }
    }

    @Test
    void aRoomLargeEnoughForTheWriterPoolStillDeliversEverythingInSeqOrderToEveryMember() {
        // 40 members: more than the sequencer flushes itself, so each fan-out is split over the writer pool.
        List<WsClient> members = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) members.add(joined("crowd" + i, "arena"));
            for (int i = 0; i < 60; i++) {
                members.get(i % 3).send("type", "send", "room", "arena", "id", "burst" + i, "text", "wave " + i);
            }
            for (WsClient c : members) {
                long previous = -1;
                for (int i = 0; i < 60; i++) {
                    JsonNode m = c.await(f -> "message".equals(f.path("type").asText()) && "arena".equals(f.path("room").asText()),
                            "message " + i + " of arena");
                    long seq = m.get("seq").asLong();
                    if (previous >= 0) assertEquals(previous + 1, seq, "every member sees the room's seq without gaps or reordering");
                    previous = seq;
                }
            }
        } finally {
            members.forEach(WsClient::close);
        }
    }

    @Test
    void aRetryWithTheSameIdIsAckedTwiceAndDeliveredOnce() {
        try (WsClient alice = joined("carol", "retry"); WsClient bob = joined("dave", "retry")) {
            alice.send("type", "send", "room", "retry", "id", "same-id", "text", "once");
            JsonNode first = alice.await("ack");
            alice.send("type", "send", "room", "retry", "id", "same-id", "text", "once");
            JsonNode second = alice.await("ack");
            assertEquals(first.get("seq").asLong(), second.get("seq").asLong());
            assertTrue(second.get("duplicate").asBoolean());
            bob.await("message");
            alice.send("type", "send", "room", "retry", "id", "next", "text", "marker");
            JsonNode next = bob.await("message");
            assertEquals("marker", next.get("text").asText(), "the retry must not be delivered a second time");
        }
    }
}
