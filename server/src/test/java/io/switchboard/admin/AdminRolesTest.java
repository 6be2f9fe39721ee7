package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Named admin tokens: viewers read everything and change nothing; operators act; others get an identical 401. */
@Timeout(60)
class AdminRolesTest {
    private static final String VIEWER_TOKEN = "viewer-token-0123456789abcdefghijklmnop";
    private static final String OPERATOR_TOKEN = "operator-token-0123456789abcdefghijklmn";
    static TestServer server;
    static AdminClient admin;
    static AdminClient viewer;
    static AdminClient operator;
    Chat chat;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("admin.tokens", "watcher:viewer:" + VIEWER_TOKEN + ",ops:operator:" + OPERATOR_TOKEN));
        admin = AdminClient.admin(server);
        viewer = new AdminClient(server, VIEWER_TOKEN);
        operator = new AdminClient(server, OPERATOR_TOKEN);
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

    private static int auditRows() {
        return admin.walk("/api/v1/audit", 500).size();
    }

    @Test
    void aViewerCanReadEveryCollection() {
        WsClient c = chat.member("view-amy", "viewed");
        Chat.say(c, "viewed", "hello");
        String id = admin.get("/api/v1/connections?user=view-amy").expect(200).path("items").path(0).path("id").asText();
        for (String path : List.of("/api/v1/connections", "/api/v1/connections/" + id, "/api/v1/bans", "/api/v1/rooms",
                "/api/v1/rooms/viewed", "/api/v1/rooms/viewed/messages", "/api/v1/audit", "/api/v1/metrics",
                "/api/v1/info", "/api/openapi.json")) {
            viewer.get(path).expect(200);
        }
    }

    @Test
    void aViewerIsRefusedEveryActionWith403AndNothingHappens() {
        WsClient target = chat.member("view-bob", "guarded");
        long seq = Chat.say(target, "guarded", "keep me");
        String id = admin.get("/api/v1/connections?user=view-bob").expect(200).path("items").path(0).path("id").asText();
        admin.post("/api/v1/bans", AdminClient.json("user", "view-banned", "duration", "1h")).expect(201);
        admin.post("/api/v1/rooms", AdminClient.json("room", "shut")).expect(201);
        admin.post("/api/v1/rooms/shut/close").expect(200);
        int auditBefore = auditRows();

        Map<String, Supplier<AdminClient.Reply>> actions = new LinkedHashMap<>();
        actions.put("kick", () -> viewer.delete("/api/v1/connections/" + id + "?reason=x"));
        actions.put("kick user", () -> viewer.post("/api/v1/users/view-bob/kick", AdminClient.json("reason", "x")));
        actions.put("ban", () -> viewer.post("/api/v1/bans", AdminClient.json("user", "view-bob", "duration", "1h")));
        actions.put("unban", () -> viewer.delete("/api/v1/bans/view-banned"));
        actions.put("broadcast", () -> viewer.post("/api/v1/broadcast", AdminClient.json("text", "hi")));
        actions.put("create room", () -> viewer.post("/api/v1/rooms", AdminClient.json("room", "viewer-made")));
        actions.put("delete message", () -> viewer.delete("/api/v1/rooms/guarded/messages/" + seq));
        actions.put("close room", () -> viewer.post("/api/v1/rooms/guarded/close"));
        actions.put("open room", () -> viewer.post("/api/v1/rooms/shut/open"));
        actions.put("mint token", () -> viewer.post("/api/v1/tokens", AdminClient.json("user", "view-bob")));
        actions.forEach((what, call) -> {
            JsonNode problem = call.get().problem(403);
            assertEquals("urn:switchboard:problem:forbidden", problem.path("type").asText(), what);
        });

        Chat.assertUntouched(target, "kicked", "system", "deleted", "left");
        Chat.say(target, "guarded", "still a member");
        assertEquals(List.of("view-banned"), admin.walk("/api/v1/bans", 50).stream().map(b -> b.path("user").asText()).toList());
        admin.get("/api/v1/rooms/viewer-made").problem(404);
        assertTrue(admin.get("/api/v1/rooms/shut").expect(200).path("room").path("closed").asBoolean(), "still closed");
        assertFalse(admin.get("/api/v1/rooms/guarded").expect(200).path("room").path("closed").asBoolean(), "still open");
        JsonNode kept = admin.get("/api/v1/rooms/guarded/messages").expect(200).path("messages").path(0);
        assertEquals("keep me", kept.path("text").asText(), kept.toString());
        assertEquals(auditBefore, auditRows(), "refused calls are not audited as actions");
    }

    @Test
    void aNamedOperatorCanActAndIsAuditedUnderItsName() {
        WsClient target = chat.connect("ops-cy");
        String id = operator.get("/api/v1/connections?user=ops-cy").expect(200).path("items").path(0).path("id").asText();
        assertEquals(1, operator.delete("/api/v1/connections/" + id + "?reason=ops-did-it").expect(200).path("kicked").asInt());
        assertEquals("ops-did-it", target.await("kicked").path("reason").asText());
        assertEquals(4004, target.awaitClose().code());

        JsonNode newest = admin.get("/api/v1/audit?limit=1").expect(200).path("items").path(0);
        assertEquals("ops", newest.path("admin").asText(), newest.toString());
        assertEquals("kick", newest.path("action").asText(), newest.toString());
    }

    @Test
    void aWrongOrMissingTokenIsA401ProblemThatGivesNoHint() {
        AdminClient.Reply missing = new AdminClient(server, null).get("/api/v1/connections");
        AdminClient.Reply wrong = new AdminClient(server, "wrong-token-0123456789abcdefghijklmno").get("/api/v1/connections");
        AdminClient.Reply almost = new AdminClient(server, VIEWER_TOKEN + "x").get("/api/v1/connections");
        for (AdminClient.Reply r : List.of(missing, wrong, almost)) {
            assertEquals("urn:switchboard:problem:unauthorized", r.problem(401).path("type").asText());
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), r.headers().map().toString());
        }
        assertEquals(missing.body(), wrong.body(), "same body for a missing and a wrong token");
        assertEquals(missing.body(), almost.body(), "same body for a near miss");

        WsClient c = chat.connect("unauth-dee");
        new AdminClient(server, "wrong-token-0123456789abcdefghijklmno").post("/api/v1/users/unauth-dee/kick").problem(401);
        Chat.assertUntouched(c, "kicked");
    }
}
