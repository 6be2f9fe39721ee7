package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * U+0000 cannot be stored by PostgreSQL (and breaks logs and tools everywhere): every text that may be stored or
 * logged is refused at the edge with a clear error naming the field — chat frames, admin bodies and reasons given as
 * query parameters — on every store alike, so nothing half happens (a notice sent but not audited, a 500).
 */
@Timeout(60)
class NulCharacterTest extends AdminApiTestBase {
    private static void assertNamesNul(JsonNode problem, String field) {
        String detail = problem.path("detail").asText();
        assertTrue(detail.contains(field) && detail.contains("U+0000"), problem.toString());
    }

    @Test
    void adminTextWithNulIsRefusedAndNothingHappens() {
        api.post("/api/v1/rooms", AdminClient.json("room", "nul1")).expect(201);
        assertNamesNul(api.post("/api/v1/broadcast", AdminClient.json("room", "nul1", "text", "a\u0000b")).problem(422), "'text'");
        assertNamesNul(api.post("/api/v1/broadcast", AdminClient.json("text", "to all\u0000")).problem(422), "'text'");
        assertEquals(0, api.get("/api/v1/rooms/nul1/messages").expect(200).path("messages").size(), "nothing stored");

        assertNamesNul(api.post("/api/v1/bans", AdminClient.json("user", "nul-user", "reason", "x\u0000")).problem(422), "'reason'");
        assertEquals(404, api.delete("/api/v1/bans/nul-user").status(), "no ban was stored");
        assertNamesNul(api.post("/api/v1/users/nul-user/kick", AdminClient.json("reason", "\u0000")).problem(422), "'reason'");
    }

    @Test
    void reasonsInQueryParametersWithNulAreRefused() {
        WsClient c = chat.track(WsClient.connect(server.ws(server.token("nul-kicked"))));
        String id = c.await("welcome").path("connectionId").asText();
        assertNamesNul(api.delete("/api/v1/connections/" + id + "?reason=a%00b").problem(422), "'reason'");
        c.roundTrip(); // still connected
        api.post("/api/v1/rooms", AdminClient.json("room", "nul2")).expect(201);
        assertNamesNul(api.post("/api/v1/rooms/nul2/close?reason=%00").problem(422), "'reason'");
        assertTrue(!api.get("/api/v1/rooms/nul2").expect(200).path("room").path("closed").asBoolean(), "still open");
    }

    @Test
    void chatFramesWithNulAreRefusedNamingTheField() {
        WsClient c = chat.connect("nul-chatter");
        c.join("nul3");
        c.sendRaw("{\"type\":\"send\",\"id\":\"s1\",\"room\":\"nul3\",\"text\":\"a\\u0000b\"}");
        JsonNode e = c.awaitError("s1");
        assertEquals("invalid_frame", e.path("code").asText());
        assertTrue(e.path("message").asText().contains("'text'") && e.path("message").asText().contains("U+0000"), e.toString());
        c.sendRaw("{\"type\":\"dm\",\"id\":\"d1\",\"to\":\"someone\",\"text\":\"\\u0000\"}");
        assertEquals("invalid_frame", c.awaitError("d1").path("code").asText());
        assertEquals(0, api.get("/api/v1/rooms/nul3/messages").expect(200).path("messages").size(), "nothing stored");
    }
}
