package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client tokens minted through the admin API connect as their user and carry their room allow-list. */
@Timeout(60)
class TokensApiTest extends AdminApiTestBase {

    @Test
    void aMintedTokenConnectsAsItsUserAndNameAndItsRoomsClaimIsEnforced() {
        long before = System.currentTimeMillis();
        JsonNode minted = api.post("/api/v1/tokens",
                AdminClient.json("user", "minted-max", "ttl", "10m", "name", "Max M.", "rooms", List.of("a"))).expect(201);
        String token = minted.path("token").asText();
        assertFalse(token.isEmpty(), minted.toString());
        assertEquals("minted-max", minted.path("user").asText());
        long expiresAt = minted.path("expiresAt").asLong();
        assertTrue(expiresAt >= before + 600_000 && expiresAt <= System.currentTimeMillis() + 600_000, minted.toString());

        WsClient c = chat.track(WsClient.connect(server.ws(token)));
        JsonNode welcome = c.await("welcome");
        assertEquals("minted-max", welcome.path("user").asText());
        assertEquals("Max M.", welcome.path("name").asText());
        Chat.join(c, "a");
        c.send("type", "join", "room", "b", "id", "other");
        assertEquals("room_forbidden", c.awaitError("other").path("code").asText());
    }

    @Test
    void aTokenWithoutRoomsAllowsEveryRoom() {
        String token = api.post("/api/v1/tokens", AdminClient.json("user", "minted-nia")).expect(201).path("token").asText();
        WsClient c = chat.track(WsClient.connect(server.ws(token)));
        assertEquals("minted-nia", c.await("welcome").path("user").asText());
        Chat.join(c, "anything-goes");
    }

    @Test
    void aBadTtlIsA422Problem() {
        for (String ttl : new String[] {"forever", "0s", "400d", "10 minutes"}) {
            api.post("/api/v1/tokens", AdminClient.json("user", "minted-oz", "ttl", ttl)).problem(422);
        }
    }

    @Test
    void claimsThatTheChatSocketWouldRefuseAreA422ProblemAndNoTokenIsMinted() {
        for (var body : List.of(AdminClient.json("user", "u", "name", "N".repeat(300)),
                AdminClient.json("user", "u", "name", "N".repeat(129)),
                AdminClient.json("user", "u", "name", "esc\u001b[31m"),
                AdminClient.json("user", "line\nbreak"),
                AdminClient.json("user", "u", "rooms", List.of("lobby", "no spaces")),
                AdminClient.json("user", "u", "rooms", List.of("*x")),
                AdminClient.json("user", "u", "rooms", java.util.Collections.nCopies(101, "a")))) {
            JsonNode problem = api.post("/api/v1/tokens", body).problem(422);
            assertFalse(problem.has("token"), problem.toString());
        }
        for (String reserved : List.of("system", "SYSTEM")) {
            JsonNode problem = api.post("/api/v1/tokens", AdminClient.json("user", reserved)).problem(422);
            assertTrue(problem.toString().contains("reserved"), problem.toString());
        }
        // A lone surrogate must travel as a JSON escape: a UTF-8 encoder would turn the raw char into '?'.
        assertFalse(api.post("/api/v1/tokens", "{\"user\":\"u\",\"name\":\"half \\ud800\"}").problem(422).has("token"));
        String atLimit = api.post("/api/v1/tokens", AdminClient.json("user", "minted-lim", "name", "N".repeat(128),
                "rooms", java.util.Collections.nCopies(100, "team-*"))).expect(201).path("token").asText();
        WsClient c = chat.track(WsClient.connect(server.ws(atLimit)));
        assertEquals("N".repeat(128), c.await("welcome").path("name").asText());
    }

    @Test
    void aTokenWithoutAUserIsA422Problem() {
        api.post("/api/v1/tokens", AdminClient.json("ttl", "10m")).problem(422);
        api.post("/api/v1/tokens", AdminClient.json("user", "minted-pat", "rooms", "a")).problem(422);
    }
}
