package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every admin action leaves one audit row (who, what, target, reason, from where), newest first and pageable. */
@Timeout(60)
class AuditLogTest {
    private static final String OPS_TOKEN = "ops-audit-token-0123456789abcdefghijkl";
    static TestServer server;
    static AdminClient api;
    Chat chat;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("admin.tokens", "ops:operator:" + OPS_TOKEN));
        api = AdminClient.admin(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void clients() {
        chat = new Chat(server);
    }

    @AfterEach
    void closeClients() {
        chat.close();
    }

    private static long newestId() {
        JsonNode items = api.get("/api/v1/audit?limit=1").expect(200).path("items");
        return items.isEmpty() ? 0 : items.path(0).path("id").asLong();
    }

    private static List<JsonNode> rowsAfter(long id) {
        return api.walk("/api/v1/audit", 500).stream().filter(r -> r.path("id").asLong() > id).toList();
    }

    private static void assertRow(JsonNode row, String action, String targetMentions, String reason) {
        assertEquals(action, row.path("action").asText(), row.toString());
        assertEquals("admin", row.path("admin").asText(), row.toString());
        assertTrue(row.path("target").asText().contains(targetMentions), row.toString());
        if (reason == null) {
            assertTrue(row.path("reason").isNull() || row.path("reason").isMissingNode(), row.toString());
        } else {
            assertEquals(reason, row.path("reason").asText(), row.toString());
        }
        assertEquals("127.0.0.1", row.path("address").asText(), row.toString());
        assertTrue(row.path("at").asLong() > 0, row.toString());
    }

    @Test
    void eachActionLeavesOneRowNewestFirst() {
        long start = newestId();
        api.post("/api/v1/rooms", AdminClient.json("room", "audited")).expect(201);
        WsClient ann = chat.member("audit-ann", "audited");
        long seq = Chat.say(ann, "audited", "to be removed");
        String annId = api.get("/api/v1/connections?user=audit-ann").expect(200).path("items").path(0).path("id").asText();
        api.delete("/api/v1/connections/" + annId + "?reason=spam").expect(200);
        api.post("/api/v1/bans", AdminClient.json("user", "audit-bob", "reason", "abuse", "duration", "1h")).expect(201);
        api.delete("/api/v1/bans/audit-bob").expect(204);
        api.post("/api/v1/broadcast", AdminClient.json("text", "hello all", "room", "audited")).expect(200);
        api.delete("/api/v1/rooms/audited/messages/" + seq + "?reason=offensive").expect(204);
        api.post("/api/v1/rooms/audited/close?reason=incident").expect(200);
        api.post("/api/v1/rooms/audited/open").expect(200);
        String token = api.post("/api/v1/tokens", AdminClient.json("user", "audit-cat", "ttl", "10m", "rooms", List.of("audited")))
                .expect(201).path("token").asText();

        List<JsonNode> rows = rowsAfter(start);
        assertEquals(9, rows.size(), rows.toString());
        assertRow(rows.get(8), "create_room", "audited", null);
        assertRow(rows.get(7), "kick", annId, "spam");
        assertTrue(rows.get(7).path("target").asText().contains("audit-ann"), rows.get(7).toString());
        assertRow(rows.get(6), "ban", "audit-bob", "abuse");
        assertRow(rows.get(5), "unban", "audit-bob", null);
        assertRow(rows.get(4), "broadcast", "audited", null);
        assertRow(rows.get(3), "delete_message", "audited", "offensive");
        assertTrue(rows.get(3).path("target").asText().contains(String.valueOf(seq)), rows.get(3).toString());
        assertRow(rows.get(2), "close_room", "audited", "incident");
        assertRow(rows.get(1), "open_room", "audited", null);
        assertRow(rows.get(0), "mint_token", "audit-cat", null);
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).path("id").asLong() > rows.get(i).path("id").asLong(), "newest first");
            assertTrue(rows.get(i - 1).path("at").asLong() >= rows.get(i).path("at").asLong(), "newest first");
        }

        String wholeLog = api.get("/api/v1/audit?limit=500").body();
        assertFalse(wholeLog.contains(token), "the minted token is never written to the audit log");
        assertFalse(wholeLog.contains(token.substring(token.lastIndexOf('.') + 1)), "not even its signature");
    }

    @Test
    void aKickOfAllOfAUsersConnectionsIsOneRow() {
        long start = newestId();
        chat.connect("audit-dan");
        chat.connect("audit-dan");
        api.post("/api/v1/users/audit-dan/kick", AdminClient.json("reason", "both")).expect(200);
        List<JsonNode> rows = rowsAfter(start);
        assertEquals(1, rows.size(), rows.toString());
        assertRow(rows.get(0), "kick_user", "audit-dan", "both");
    }

    @Test
    void aNamedTokensActionsAreAuditedUnderItsName() {
        long start = newestId();
        new AdminClient(server, OPS_TOKEN).post("/api/v1/broadcast", AdminClient.json("text", "from ops")).expect(200);
        List<JsonNode> rows = rowsAfter(start);
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("ops", rows.get(0).path("admin").asText(), rows.get(0).toString());
        assertEquals("broadcast", rows.get(0).path("action").asText());
    }

    @Test
    void readsAndRefusedCallsAreNotAudited() {
        long start = newestId();
        api.get("/api/v1/rooms").expect(200);
        api.get("/api/v1/connections").expect(200);
        api.delete("/api/v1/bans/never-banned").problem(404);
        assertEquals(List.of(), rowsAfter(start));
    }

    @Test
    void theLogPagesWithACursorWithoutRepeatsOrGaps() {
        for (int i = 0; i < 5; i++) api.post("/api/v1/rooms", AdminClient.json("room", "audit-page-" + i)).expect(201);
        List<Long> onePage = api.walk("/api/v1/audit", 500).stream().map(r -> r.path("id").asLong()).toList();
        List<Long> paged = api.walk("/api/v1/audit", 2).stream().map(r -> r.path("id").asLong()).toList();
        assertTrue(onePage.size() >= 5, onePage.toString());
        assertEquals(onePage, paged);
        assertEquals(onePage.stream().sorted(Comparator.reverseOrder()).toList(), onePage, "newest first");
    }
}
