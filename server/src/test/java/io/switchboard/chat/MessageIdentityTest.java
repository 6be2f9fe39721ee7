package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One id, one meaning: an id names one message of its sender, room message or DM, forever. A retry of the same
 * message gets the original ack; the same id for anything else gets id_conflict; what was acked is what is stored.
 */
@Timeout(60)
class MessageIdentityTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.rate", "1000", "limits.burst", "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient online(String user) {
        return WsClient.connected(server.ws(server.token(user)));
    }

    private static JsonNode answer(WsClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), "answer to " + id);
    }

    @Test
    void theSameMessageAgainIsADuplicateAndAnythingElseUnderItsIdIsAConflict() {
        try (WsClient alice = online("id-alice")) {
            alice.join("id-a");
            alice.join("id-b");
            alice.send("type", "send", "room", "id-a", "id", "x1", "text", "hello");
            JsonNode first = answer(alice, "x1");
            assertEquals("ack", first.get("type").asText());

            alice.send("type", "send", "room", "id-a", "id", "x1", "text", "hello");
            JsonNode retry = answer(alice, "x1");
            assertEquals("ack", retry.get("type").asText());
            assertTrue(retry.get("duplicate").asBoolean());
            assertEquals(first.get("seq"), retry.get("seq"));

            List<Object[]> neighbours = List.of(
                    new Object[] {"type", "send", "room", "id-b", "id", "x1", "text", "hello"},      // other room
                    new Object[] {"type", "send", "room", "id-a", "id", "x1", "text", "hello!"},     // other text
                    new Object[] {"type", "dm", "to", "id-bob", "id", "x1", "text", "hello"});       // a DM
            for (Object[] frame : neighbours) {
                alice.send(frame);
                JsonNode e = answer(alice, "x1");
                assertEquals("error", e.get("type").asText(), List.of(frame).toString());
                assertEquals("id_conflict", e.get("code").asText());
            }
            alice.send("type", "history", "room", "id-b", "id", "hb");
            assertEquals(0, alice.await("history").get("messages").size(), "nothing was stored in room id-b");
        }
    }

    @Test
    void aDmIdFollowsTheSameRule() {
        try (WsClient alice = online("id-dm-alice")) {
            alice.join("id-dm-room");
            alice.send("type", "dm", "to", "id-dm-bob", "id", "d1", "text", "hi bob");
            JsonNode first = answer(alice, "d1");
            assertEquals("ack", first.get("type").asText());
            alice.send("type", "dm", "to", "id-dm-bob", "id", "d1", "text", "hi bob");
            JsonNode retry = answer(alice, "d1");
            assertTrue(retry.get("duplicate").asBoolean());
            assertEquals(first.get("seq"), retry.get("seq"));
            assertEquals("id-dm-bob", retry.get("to").asText());
            for (Object[] frame : List.of(
                    new Object[] {"type", "dm", "to", "id-dm-carol", "id", "d1", "text", "hi bob"},
                    new Object[] {"type", "dm", "to", "id-dm-bob", "id", "d1", "text", "hi carol"},
                    new Object[] {"type", "send", "room", "id-dm-room", "id", "d1", "text", "hi bob"})) {
                alice.send(frame);
                assertEquals("id_conflict", answer(alice, "d1").get("code").asText(), List.of(frame).toString());
            }
        }
        try (WsClient bob = WsClient.connected(java.net.URI.create(server.ws(server.token("id-dm-bob")) + "&dmSince=0"))) {
            bob.send("type", "dm_history", "id", "h");
            JsonNode page = bob.await("dm_history");
            assertEquals(1, page.get("messages").size(), "exactly one DM stored under d1");
        }
    }

    @Test
    void idsArePerSender() {
        try (WsClient a = online("id-s1"); WsClient b = online("id-s2")) {
            a.join("id-shared");
            b.join("id-shared");
            a.send("type", "send", "room", "id-shared", "id", "same", "text", "from a");
            b.send("type", "send", "room", "id-shared", "id", "same", "text", "from b");
            assertEquals("ack", answer(a, "same").get("type").asText());
            JsonNode ackB = answer(b, "same");
            assertEquals("ack", ackB.get("type").asText());
            assertTrue(ackB.path("duplicate").isMissingNode());
        }
    }

    @Test
    void theRulesHoldAcrossARestart() {
        try (WsClient alice = online("id-restart")) {
            alice.join("id-r");
            alice.send("type", "send", "room", "id-r", "id", "k1", "text", "before");
            answer(alice, "k1");
        }
        server = server.restart();
        try (WsClient alice = online("id-restart")) {
            alice.join("id-r");
            alice.send("type", "send", "room", "id-r", "id", "k1", "text", "before");
            assertTrue(answer(alice, "k1").get("duplicate").asBoolean());
            alice.send("type", "send", "room", "id-r", "id", "k1", "text", "after");
            assertEquals("id_conflict", answer(alice, "k1").get("code").asText());
        }
    }

    @Test
    void textThatCannotBeStoredAsReceivedIsRefusedAndLiveReplayAndHistoryAgree() {
        try (WsClient alice = online("id-text"); WsClient bob = online("id-text-bob")) {
            alice.join("id-t");
            bob.join("id-t");
            alice.sendRaw("{\"type\":\"send\",\"room\":\"id-t\",\"id\":\"s1\",\"text\":\"a\\ud800b\"}");
            JsonNode e = alice.awaitError("s1");
            assertEquals("invalid_frame", e.get("code").asText());
            alice.sendRaw("{\"type\":\"dm\",\"to\":\"id-text-bob\",\"id\":\"s2\",\"text\":\"\\udc00\"}");
            assertEquals("invalid_frame", alice.awaitError("s2").get("code").asText());

            String tricky = "emoji \uD83D\uDE00, nul-free, 𝄞, \u00e9, \u200d";
            alice.send("type", "send", "room", "id-t", "id", "s3", "text", tricky);
            JsonNode live = bob.await("message");
            assertEquals(tricky, live.get("text").asText());
            bob.send("type", "history", "room", "id-t", "id", "h");
            JsonNode stored = bob.await("history").get("messages").get(0);
            assertEquals(tricky, stored.get("text").asText());
            assertEquals(live.get("seq"), stored.get("seq"));
        }
        try (WsClient again = online("id-text-bob")) {
            again.send("type", "join", "room", "id-t", "id", "j", "since", 0);
            again.await("joined");
            assertEquals("emoji \uD83D\uDE00, nul-free, 𝄞, \u00e9, \u200d", again.await("message").get("text").asText());
        }
    }

    @Test
    void oneMessageTheStoreRefusesDoesNotFailTheOthersInItsBatch() throws Exception {
        // A constraint the server does not know about stands in for any value the store refuses.
        try (Connection db = server.server().database().dataSource().getConnection(); Statement st = db.createStatement()) {
            st.execute("ALTER TABLE messages ADD CONSTRAINT test_no_poison CHECK (body <> 'poison')");
        }
        try (WsClient a = online("id-batch-a"); WsClient b = online("id-batch-b")) {
            a.join("id-batch");
            b.join("id-batch");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) { // pipelined, so that they share the sequencer's batches
                String id = "p" + i;
                ids.add(id);
                (i % 2 == 0 ? a : b).send("type", "send", "room", "id-batch", "id", id, "text", i == 20 ? "poison" : "ok " + i);
            }
            for (int i = 0; i < 40; i++) {
                JsonNode answer = answer(i % 2 == 0 ? a : b, ids.get(i));
                if (i == 20) {
                    assertEquals("rejected", answer.get("code").asText(), answer.toString());
                } else {
                    assertEquals("ack", answer.get("type").asText(), answer.toString());
                }
            }
        } finally {
            try (Connection db = server.server().database().dataSource().getConnection(); Statement st = db.createStatement()) {
                st.execute("ALTER TABLE messages DROP CONSTRAINT test_no_poison");
            }
        }
    }
}
