package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One user-id rule wherever a user id enters the admin API (bans, kicks, broadcasts to a user, the connections
 * filter, minted tokens): the rule a token's {@code sub} follows, refused with 422 {@code invalid} naming where the id
 * was given.
 */
@Timeout(60)
class UserIdRuleTest extends AdminApiTestBase {

    private static void assertInvalidUser(AdminClient.Reply reply, String where) {
        JsonNode p = reply.problem(422);
        assertEquals("urn:switchboard:problem:invalid", p.path("type").asText(), reply.body());
        // U+0000 is refused as text before the user id rule is applied: either answer names the field.
        String detail = p.path("detail").asText();
        assertTrue(detail.startsWith(where + " is not a valid user id")
                || detail.equals(where + " is " + io.switchboard.protocol.Text.RULE), reply.body());
    }

    @Test
    void aBanForAnIdWithAControlCharacterIsRefusedAndNotStored() {
        for (String bad : new String[] {"u\u0000x", "u\u0007x", "tab\tbed", "del\u007f", "c1\u0085"}) {
            assertInvalidUser(api.post("/api/v1/bans", AdminClient.json("user", bad)), "field 'user'");
        }
        assertTrue(api.walk("/api/v1/bans", 50).isEmpty(), "no ban stored");
    }

    @Test
    void kicksUnbansBroadcastsFiltersAndTokensFollowTheSameRule() {
        assertInvalidUser(api.post("/api/v1/users/u%01x/kick"), "path parameter 'user'");
        assertInvalidUser(api.post("/api/v1/users/u%7Fx/kick", AdminClient.json("reason", "r")), "path parameter 'user'");
        assertInvalidUser(api.delete("/api/v1/bans/u%1Bx"), "path parameter 'user'");
        assertInvalidUser(api.post("/api/v1/users/" + "k".repeat(129) + "/kick"), "path parameter 'user'");
        assertInvalidUser(api.post("/api/v1/broadcast", AdminClient.json("text", "hi", "user", "u\u0000x")), "field 'user'");
        assertInvalidUser(api.get("/api/v1/connections?user=u%00x"), "query parameter 'user'");
        assertInvalidUser(api.get("/api/v1/connections?user="), "query parameter 'user'");
        assertInvalidUser(api.post("/api/v1/tokens", AdminClient.json("user", "u\u0000x")), "field 'user'");
    }

    @Test
    void idsATokenCanHoldStillWork() {
        String user = "zo\u00eb-\ud83d\ude00:" + "x".repeat(100); // astral character, punctuation, 108 code units
        var c = chat.connect(user);
        assertEquals(1, api.get("/api/v1/connections?user=" + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8))
                .expect(200).path("items").size());
        String path = "/api/v1/users/" + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        assertEquals(1, api.post(path + "/kick").expect(200).path("kicked").asInt());
        c.awaitClose();
        api.post("/api/v1/bans", AdminClient.json("user", user, "duration", "1h")).expect(201);
        assertEquals(204, api.delete("/api/v1/bans/" + path.substring("/api/v1/users/".length())).status());
        api.post("/api/v1/tokens", AdminClient.json("user", user)).expect(201);
    }
}
