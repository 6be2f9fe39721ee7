package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin API's own limits: request body size (413) and requests per second per admin token (429). */
@Timeout(60)
class AdminLimitsTest {

    @Test
    void aBodyLargerThanTheLimitIsA413ProblemAndIsNotActedOn() {
        try (TestServer server = TestServer.start(Map.of("admin.max.body.bytes", "2048")); Chat chat = new Chat(server)) {
            AdminClient api = AdminClient.admin(server);
            WsClient c = chat.connect("big-body-ann");
            api.post("/api/v1/broadcast", AdminClient.json("text", "x".repeat(3000))).problem(413);
            Chat.assertUntouched(c, "system");
            assertEquals(1, api.post("/api/v1/broadcast", AdminClient.json("text", "x".repeat(1500))).expect(200).path("reached").asInt(),
                    "a body under the limit is accepted");
        }
    }

    @Test
    void aBurstAboveTheRateGetsSome429ProblemsWithRetryAfter() {
        try (TestServer server = TestServer.start(Map.of("admin.rate", "5"))) {
            AdminClient api = AdminClient.admin(server);
            List<CompletableFuture<AdminClient.Reply>> burst = new ArrayList<>();
            for (int i = 0; i < 30; i++) burst.add(CompletableFuture.supplyAsync(() -> api.get("/api/v1/info")));
            List<AdminClient.Reply> replies = burst.stream().map(CompletableFuture::join).toList();

            List<AdminClient.Reply> limited = replies.stream().filter(r -> r.status() == 429).toList();
            assertTrue(!limited.isEmpty(), "some of 30 requests at rate 5/s are refused");
            assertTrue(replies.stream().allMatch(r -> r.status() == 200 || r.status() == 429),
                    replies.stream().map(AdminClient.Reply::status).toList().toString());
            assertTrue(replies.stream().filter(r -> r.status() == 200).count() >= 5, "the burst allowance is served");
            for (AdminClient.Reply r : limited) {
                assertEquals("urn:switchboard:problem:rate-limited", r.problem(429).path("type").asText());
                assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0")) >= 1, r.headers().map().toString());
            }
        }
    }
}
