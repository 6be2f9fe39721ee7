package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bans through the admin API: live connections are kicked with 4003, reconnects refused, survives restarts, lifted. */
@Timeout(60)
class BansApiTest {
    static TestServer server;
    Chat chat;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
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

    private static AdminClient api() {
        return AdminClient.admin(server);
    }

    private static JsonNode ban(String user, String reason, String duration) {
        return api().post("/api/v1/bans", AdminClient.json("user", user, "reason", reason, "duration", duration)).expect(201);
    }

    private static JsonNode listed(String user) {
        for (JsonNode b : api().walk("/api/v1/bans", 50)) if (user.equals(b.path("user").asText())) return b;
        return null;
    }

    private static void assertRefusedAsBanned(String user) {
        WsClient again = WsClient.connect(server.ws(server.token(user)));
        WsClient.Closed closed = again.awaitClose();
        assertEquals(4003, closed.code(), closed.toString());
        assertEquals("banned", closed.reason());
        assertTrue(again.drain(Duration.ZERO).stream().noneMatch(f -> "welcome".equals(f.path("type").asText())),
                "a banned user gets no welcome");
    }

    @Test
    void aBanKicksTheUsersConnectionsWithTheReasonThenCloses4003() {
        WsClient one = chat.connect("ban-ivan");
        WsClient two = chat.connect("ban-ivan");
        WsClient bystander = chat.connect("ban-judy");

        JsonNode answer = ban("ban-ivan", "abuse", "1h");
        assertEquals(2, answer.path("kicked").asInt(), answer.toString());
        assertEquals("ban-ivan", answer.path("ban").path("user").asText(), answer.toString());
        for (WsClient c : new WsClient[] {one, two}) {
            assertEquals("abuse", c.await("kicked").path("reason").asText());
            WsClient.Closed closed = c.awaitClose();
            assertEquals(4003, closed.code(), closed.toString());
            assertEquals("banned", closed.reason());
        }
        Chat.assertUntouched(bystander, "kicked");
    }

    @Test
    void aBannedUsersNewConnectionIsClosedWith4003() {
        ban("ban-kate", "spam", "1h");
        assertRefusedAsBanned("ban-kate");
    }

    @Test
    void theBanIsListedWithReasonAuthorAndExpiry() {
        long before = System.currentTimeMillis();
        ban("ban-leo", "trolling", "1h");
        JsonNode b = listed("ban-leo");
        assertNotNull(b, "ban-leo listed");
        assertEquals("trolling", b.path("reason").asText());
        assertEquals("admin", b.path("createdBy").asText());
        long created = b.path("createdAt").asLong();
        assertTrue(created >= before, b.toString());
        assertEquals(3_600_000L, b.path("expiresAt").asLong() - created, b.toString());
    }

    @Test
    void aBanSurvivesARestart() {
        ban("ban-mia", "persistent", "1h");
        chat.close();
        server = server.restart();
        chat = new Chat(server);
        assertNotNull(listed("ban-mia"), "still listed after the restart");
        assertRefusedAsBanned("ban-mia");
    }

    @Test
    void liftingABanLetsTheUserConnectAgainAndASecondLiftIsA404() {
        ban("ban-ned", "cooling off", "1h");
        assertRefusedAsBanned("ban-ned");

        api().delete("/api/v1/bans/ban-ned").expect(204);
        assertNull(listed("ban-ned"));
        WsClient back = chat.connect("ban-ned"); // waits for the welcome
        Chat.roundTrip(back);

        api().delete("/api/v1/bans/ban-ned").problem(404);
    }

    @Test
    void anInvalidDurationIsA422ProblemAndBansNobody() {
        for (String duration : new String[] {"soon", "0s", "-1h", "1 hour"}) {
            api().post("/api/v1/bans", AdminClient.json("user", "ban-olga", "duration", duration)).problem(422);
        }
        assertNull(listed("ban-olga"));
        Chat.roundTrip(chat.connect("ban-olga"));
    }

    @Test
    void theBanListPagesByUser() {
        for (int i = 0; i < 3; i++) ban("ban-page-" + i, null, "1h");
        List<String> users = api().walk("/api/v1/bans", 1).stream().map(b -> b.path("user").asText()).toList();
        assertEquals(users.stream().sorted().distinct().toList(), users, "ordered by user, no repeats");
        assertTrue(users.containsAll(List.of("ban-page-0", "ban-page-1", "ban-page-2")), users.toString());
    }

    @Test
    void anEnormousDurationEitherBansOrIsRefusedButNeverFailsOrBansNobody() {
        // 106751990000d fits in a long as milliseconds, but now + it does not; 9999999999999d does not fit at all.
        String[][] cases = {{"ban-pia", "106751990000d"}, {"ban-quinn", "9999999999999d"}};
        for (String[] c : cases) {
            AdminClient.Reply r = api().post("/api/v1/bans", AdminClient.json("user", c[0], "duration", c[1]));
            assertTrue(r.status() == 201 || r.status() == 422, c[1] + ": 201 or 422, got " + r.status() + " " + r.body());
            if (r.status() == 201) {
                assertNotNull(listed(c[0]), c[1] + ": an accepted ban is in force");
                assertRefusedAsBanned(c[0]);
            }
        }
    }

    @Test
    void aBanWithoutAUserIsA422Problem() {
        api().post("/api/v1/bans", AdminClient.json("reason", "who?")).problem(422);
    }
}
