package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.chat.Hub;
import io.switchboard.chat.Limits;
import io.switchboard.config.Config;
import io.switchboard.metrics.Metrics;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live event stream as a script sees it: the snapshot carries the stats of the last two minutes (bounded), and
 * rooms created / closed / reopened, bans added / lifted and audit entries (with their ids) arrive as deltas.
 */
@Timeout(60)
class LiveFeedTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static TestServer server;
    static AdminClient api;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        api = AdminClient.admin(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** An open event stream, read one event at a time; the server's stats tick keeps it moving every second. */
    static final class Stream {
        final Iterator<String> lines;

        Stream() throws IOException, InterruptedException {
            this("");
        }

        Stream(String query) throws IOException, InterruptedException {
            HttpRequest req = HttpRequest.newBuilder(server.http("/api/v1/events" + query))
                    .header("Authorization", "Bearer " + server.adminToken()).header("Accept", "text/event-stream").build();
            lines = HTTP.send(req, HttpResponse.BodyHandlers.ofLines()).body().iterator();
        }

        /** Names of the events read so far. */
        final List<String> seen = new java.util.ArrayList<>();

        /** The data of the next event of this name that matches, within 10 seconds. */
        JsonNode await(String name, Predicate<JsonNode> matching) throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String event = null;
            while (System.nanoTime() < deadline) {
                String line = lines.next();
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                    seen.add(event);
                } else if (line.startsWith("data: ") && name.equals(event)) {
                    JsonNode data = WsClient.JSON.readTree(line.substring(6));
                    if (matching.test(data)) return data;
                }
            }
            throw new AssertionError("no matching " + name + " event within 10 s");
        }
    }

    @Test
    void theSnapshotCarriesTheStatsTicksTheServerAlreadyHasOldestFirst() throws Exception {
        Await.until("a few stats ticks", Duration.ofSeconds(10), () -> server.server().liveFeed().history().size() >= 4);
        JsonNode snapshot = new Stream().await("snapshot", d -> true);
        JsonNode history = snapshot.path("history");
        assertTrue(history.isArray() && history.size() >= 4, snapshot.toString());
        long previous = 0;
        for (JsonNode s : history) {
            assertTrue(s.path("ts").asLong() > previous, "oldest first: " + history);
            previous = s.path("ts").asLong();
            assertTrue(s.has("connections") && s.has("messagesInPerSecond") && s.has("heapUsedBytes"), s.toString());
            assertEquals(0, s.path("counters").size(), "no per-connection counters in the history: " + s);
            assertEquals(0, s.path("roomActivity").size(), "no per-room figures in the history: " + s);
            assertTrue(!s.has("figures"), "only the record's fields: " + s);
        }
    }

    @Test
    void theHistoryKeepsTwoMinutesOfTicksAndNoMore() {
        LiveFeed feed = new LiveFeed(new Hub(Limits.from(Config.of(Map.of()))), new Metrics(), "test-node");
        for (int i = 0; i < LiveFeed.HISTORY_TICKS + 30; i++) feed.tick();
        List<LiveFeed.Stats> history = feed.history();
        assertEquals(120, LiveFeed.HISTORY_TICKS);
        assertEquals(LiveFeed.HISTORY_TICKS, history.size());
        for (int i = 1; i < history.size(); i++) assertTrue(history.get(i).ts() >= history.get(i - 1).ts());
    }

    @Test
    void roomsBansAndAuditEntriesArriveAsEvents() throws Exception {
        Stream stream = new Stream();
        stream.await("snapshot", d -> true);

        api.post("/api/v1/rooms", AdminClient.json("room", "streamed-room")).expect(201);
        JsonNode created = stream.await("room.created", d -> "streamed-room".equals(d.path("name").asText()));
        assertEquals(false, created.path("closed").asBoolean(), created.toString());
        JsonNode audit = stream.await("audit", d -> "room streamed-room".equals(d.path("target").asText()));
        assertEquals("create_room", audit.path("action").asText());
        assertTrue(audit.path("id").asLong() > 0, "the entry's own id: " + audit);
        assertEquals(audit.path("id").asLong(), api.get("/api/v1/audit?limit=1").expect(200).path("items").get(0).path("id").asLong());

        api.post("/api/v1/rooms/streamed-room/close").expect(200);
        assertTrue(stream.await("room.closed", d -> "streamed-room".equals(d.path("name").asText())).path("closed").asBoolean());
        api.post("/api/v1/rooms/streamed-room/open").expect(200);
        assertEquals(false, stream.await("room.reopened", d -> "streamed-room".equals(d.path("name").asText())).path("closed").asBoolean());

        api.post("/api/v1/bans", AdminClient.json("user", "streamed-user", "reason", "spam", "duration", "1h")).expect(201);
        JsonNode ban = stream.await("ban.added", d -> "streamed-user".equals(d.path("user").asText()));
        assertEquals("spam", ban.path("reason").asText());
        assertTrue(ban.path("expiresAt").asLong() > System.currentTimeMillis(), ban.toString());
        api.delete("/api/v1/bans/streamed-user").expect(204);
        stream.await("ban.lifted", d -> "streamed-user".equals(d.path("user").asText()));
    }

    @Test
    void statsTicksCarryEachActiveRoomsLastSeq() throws Exception {
        Stream stream = new Stream();
        try (WsClient c = WsClient.connected(server.ws(server.token("talker")))) {
            c.join("ticking");
            long seq = c.say("ticking", "hello");
            JsonNode stats = stream.await("stats", d -> d.path("roomActivity").path("ticking").path(0).asLong() == seq);
            assertTrue(stats.path("roomActivity").path("ticking").path(1).asLong() > 0, stats.toString());
        }
    }

    @Test
    void aStreamWithoutPerConnectionDataGetsTrueRoomCountsButNoConnectionEvents() throws Exception {
        Stream full = new Stream();
        Stream quiet = new Stream("?connections=false");
        assertTrue(full.await("snapshot", d -> true).has("connections"));
        JsonNode snapshot = quiet.await("snapshot", d -> true);
        assertTrue(!snapshot.has("connections"), "no connection list: " + snapshot);
        assertEquals(0, snapshot.path("stats").path("counters").size(), snapshot.toString());
        try (WsClient c = WsClient.connected(server.ws(server.token("quiet-talker")))) {
            c.join("quiet-room");
            full.await("room.joined", d -> "quiet-room".equals(d.path("room").asText()));
            // The tick that counts the join was queued after the join's events: had they been sent, they came first.
            JsonNode stats = quiet.await("stats", d -> d.path("roomActivity").path("quiet-room").path(3).asLong() == 1);
            assertEquals(1, stats.path("roomActivity").path("quiet-room").path(2).asLong(), "one user online: " + stats);
            assertEquals(0, stats.path("counters").size(), "no per-connection counters: " + stats);
            assertTrue(!quiet.seen.contains("connection.opened") && !quiet.seen.contains("room.joined"), quiet.seen.toString());
            JsonNode fullStats = full.await("stats", d -> true);
            assertTrue(fullStats.path("counters").size() >= 1, fullStats.toString());
        }
    }
}
