package io.switchboard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestServer;
import io.switchboard.testing.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /api/v1/drain} on a real server: not ready at once, new connections refused with 1012, open ones closed
 * with 1012 after the delay and spread over the window, what was queued for them delivered first, the process still
 * serving the admin API afterwards; audited, shown in info and metrics; wrong input and roles refused.
 */
@Timeout(60)
class DrainApiTest {
    private static final String VIEWER_TOKEN = "drain-viewer-token-0123456789abcdef";
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    private TestServer start(String delay, String window) {
        server = TestServer.start(Map.of("drain.delay", delay, "drain.window", window,
                "admin.tokens", "grafana:viewer:" + VIEWER_TOKEN, "shutdown.grace", "30s"));
        return server;
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private WsClient connect(String user) {
        WsClient ws = WsClient.connected(server.ws(server.token(user)));
        clients.add(ws);
        return ws;
    }

    @Test
    void aDrainTurnsReadinessOffAtOnceAndClosesConnectionsWith1012SpreadOverTheWindow() {
        start("1s", "2s");
        AdminClient api = AdminClient.admin(server);
        assertEquals(200, server.get("/ready").statusCode());
        assertFalse(api.get("/api/v1/info").expect(200).path("draining").asBoolean());
        int n = 6;
        List<WsClient> open = new ArrayList<>();
        for (int i = 0; i < n; i++) open.add(connect("u" + i));

        long started = System.nanoTime();
        JsonNode status = api.post("/api/v1/drain").expect(202);
        assertTrue(status.path("draining").asBoolean(), status.toString());
        assertEquals(server.server().node().id(), status.path("node").asText());
        assertEquals("admin admin", status.path("cause").asText());
        assertEquals(status.path("startedAt").asLong() + 1000, status.path("closingFrom").asLong(), status.toString());
        assertEquals(status.path("closingFrom").asLong() + 2000, status.path("closingUntil").asLong(), status.toString());

        HttpResponse<String> ready = server.get("/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        assertEquals("{\"status\":\"draining\"}", ready.body());
        JsonNode info = api.get("/api/v1/info").expect(200);
        assertTrue(info.path("draining").asBoolean(), info.toString());
        assertEquals("admin admin", info.path("drain").path("cause").asText(), info.toString());
        assertEquals(1, server.server().metrics().registry().getGauges().get("switchboard.draining").getValue());

        // A new connection is refused before any welcome, with the same code: go elsewhere.
        try (WsClient late = WsClient.connect(server.ws(server.token("late")))) {
            WsClient.Closed closed = late.awaitClose();
            assertEquals(new WsClient.Closed(1012, "draining"), closed);
            assertTrue(late.drain(Duration.ZERO).stream().noneMatch(f -> "welcome".equals(f.path("type").asText())));
        }

        // The open ones still work during the delay, then are closed one after another over the window.
        open.get(0).roundTrip();
        for (int i = 0; i < n; i++) {
            assertEquals(new WsClient.Closed(1012, "draining"), open.get(i).awaitClose(Duration.ofSeconds(10)));
        }
        Await.until("the drain to finish", Duration.ofSeconds(10), () -> server.server().drain().status().finished());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs >= 1000 + 2000 - 200, "closes end about delay + window after the start, took " + tookMs + " ms");
        assertEquals(n, server.server().drain().status().toClose());
        assertEquals(n, server.server().drain().status().closed());
        assertEquals(n, server.server().metrics().registry().meter("switchboard.drain.closed").getCount());
        assertEquals(0, server.server().hub().connectionCount());

        // The process keeps running: the admin API answers, readiness stays off, a second drain is a conflict.
        assertTrue(api.get("/api/v1/info").expect(200).path("drain").path("finished").asBoolean());
        assertEquals(503, server.get("/ready").statusCode());
        assertEquals("conflict", type(api.post("/api/v1/drain").problem(409)));
        JsonNode audit = api.get("/api/v1/audit?limit=5").expect(200).path("items");
        boolean audited = false;
        for (JsonNode e : audit) {
            if ("drain".equals(e.path("action").asText())) {
                audited = true;
                assertEquals("node " + server.server().node().id(), e.path("target").asText());
                assertEquals("delay 1s, window 2s", e.path("detail").asText());
            }
        }
        assertTrue(audited, audit.toString());
    }

    @Test
    void closesAreSpreadEvenlyAndWhatWasQueuedIsDeliveredBeforeTheClose() throws Exception {
        start("0", "1500ms");
        int n = 5;
        List<WsClient> open = new ArrayList<>();
        for (int i = 0; i < n; i++) open.add(connect("s" + i));
        WsClient sender = open.get(0);
        for (WsClient ws : open) ws.join("lobby");
        long lastSeq = 0;
        for (int i = 0; i < 20; i++) lastSeq = sender.say("lobby", "before the drain " + i);

        long t0 = System.nanoTime();
        AdminClient.admin(server).post("/api/v1/drain").expect(202);
        List<Thread> watchers = new ArrayList<>();
        long[] closedMs = new long[n];
        for (int i = 0; i < n; i++) {
            int k = i;
            Thread t = new Thread(() -> {
                open.get(k).awaitClose(Duration.ofSeconds(10));
                closedMs[k] = (System.nanoTime() - t0) / 1_000_000;
            });
            t.start();
            watchers.add(t);
        }
        for (Thread t : watchers) t.join(15_000);
        long first = java.util.Arrays.stream(closedMs).min().orElseThrow();
        long last = java.util.Arrays.stream(closedMs).max().orElseThrow();
        assertTrue(last - first >= 1000 && last - first <= 1500 + 700,
                "closes span about the window of 1500 ms: first " + first + " ms, last " + last + " ms");
        // Every message stored before the drain reached every member before its close frame.
        for (int i = 1; i < n; i++) {
            List<JsonNode> frames = open.get(i).drain(Duration.ZERO);
            long highest = frames.stream().filter(f -> "message".equals(f.path("type").asText()))
                    .mapToLong(f -> f.path("seq").asLong()).max().orElse(0);
            assertEquals(lastSeq, highest, "member " + i + " got every message before the close");
        }
    }

    @Test
    void wrongInputAndTheViewerRoleAreRefusedAndNothingDrains() {
        start("0", "1s");
        AdminClient api = AdminClient.admin(server);
        assertEquals("forbidden", type(new AdminClient(server, VIEWER_TOKEN).post("/api/v1/drain").problem(403)));
        assertEquals("invalid", type(api.post("/api/v1/drain", "{\"window\":\"soon\"}").problem(422)));
        assertEquals("invalid", type(api.post("/api/v1/drain", "{\"window\":\"31m\"}").problem(422)));
        assertEquals("invalid", type(api.post("/api/v1/drain", "{\"window\":10}").problem(422)));
        assertEquals("invalid", type(api.post("/api/v1/drain", "{\"delay\":\"1s\"}").problem(422)));
        assertEquals("bad-request", type(api.post("/api/v1/drain", "[]").problem(400)));
        assertFalse(server.server().drain().draining());
        assertEquals(200, server.get("/ready").statusCode());

        // A window of its own; 0 closes everything at once.
        WsClient ws = connect("w");
        JsonNode status = api.post("/api/v1/drain", "{\"window\":\"0\"}").expect(202);
        assertEquals(status.path("closingFrom").asLong(), status.path("closingUntil").asLong(), status.toString());
        assertEquals(new WsClient.Closed(1012, "draining"), ws.awaitClose());
    }

    private static String type(JsonNode problem) {
        String t = problem.path("type").asText();
        return t.substring(t.lastIndexOf(':') + 1);
    }
}
